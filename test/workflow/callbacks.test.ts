import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keypair } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CallbackDispatcher, kycCallbackId } from '../../api/sep12/callbacks.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/**
 * Issue 15 item 5: SEP-12 status callbacks (S12-23..25) are delivered by a Temporal workflow (the one SEP-24
 * callbacks use), so a wallet that is down when the status changes still gets the callback once it is back, with
 * no API process involved after the start.
 */
describe('SEP-12 callbacks delivered by a workflow (issue 15)', () => {
  let tdb: TestDb;
  let config: AppConfig;
  let temporal: TestTemporal;
  let receiver: Server;
  let url: string;
  let up = false;
  const received: Received[] = [];
  let onReceive: (() => void) | undefined;

  beforeAll(async () => {
    tdb = await createTestDb('callbacks');
    config = testConfig();
    temporal = await startTestWorker({ config, db: tdb.db });
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const answered = up ? 200 : 503; // the wallet is "down" until the test brings it up
        received.push({ headers: req.headers, body, answered });
        res.writeHead(answered).end();
        onReceive?.();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kyc-callback`;
  });
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await temporal?.stop();
    await tdb?.destroy();
  });

  /** Starts one delivery from a short-lived "API process": its own client connection, closed right after. */
  async function sendFromApi(customerId: string, body: string): Promise<void> {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const dispatcher = new CallbackDispatcher({
        signingSecret: config.stellar.signingSecret,
        logger: createLogger('test-callbacks', 'silent'),
        temporal: { client: new Client({ connection, namespace: 'default' }), taskQueue: temporal.taskQueue },
      });
      dispatcher.send({ customerId, url, body });
      await dispatcher.idle(); // the workflow is started; nothing of this process is needed any more
    } finally {
      await connection.close();
    }
  }

  it('S12-24: a callback refused at first is delivered, signed, after the receiver comes up; the API is gone', async () => {
    const customerId = 'cust-down-first';
    const body = JSON.stringify({ id: customerId, status: 'ACCEPTED' });
    const firstAttempt = new Promise<void>((r) => (onReceive = r));
    await sendFromApi(customerId, body);
    await firstAttempt; // the workflow's first attempt reached a wallet that was down
    expect(received.at(-1)?.answered).toBe(503);
    up = true;
    onReceive = undefined;
    const handle = temporal.client.workflow.getHandle(kycCallbackId(customerId, url, body));
    await handle.result(); // completes only once an attempt got a 2xx
    const delivered = received.filter((r) => r.answered === 200 && r.body === body);
    expect(delivered).toHaveLength(1);
    const header = String(delivered[0]!.headers.signature);
    expect(delivered[0]!.headers['x-stellar-signature']).toBe(header);
    const m = /^t=(\d+), s=(.+)$/.exec(header);
    expect(m).not.toBeNull();
    const host = new URL(url).host;
    const signer = Keypair.fromSecret(config.stellar.signingSecret);
    expect(signer.verify(Buffer.from(`${m![1]}.${host}.${body}`), Buffer.from(m![2]!, 'base64'))).toBe(true);
  });

  it('S12-23: the same status for the same customer sent twice is one delivery', async () => {
    up = true;
    const customerId = 'cust-twice';
    const body = JSON.stringify({ id: customerId, status: 'REJECTED' });
    await sendFromApi(customerId, body);
    await sendFromApi(customerId, body);
    const handle = temporal.client.workflow.getHandle(kycCallbackId(customerId, url, body));
    await handle.result();
    expect(received.filter((r) => r.body === body)).toHaveLength(1);
  });
});

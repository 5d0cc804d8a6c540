import { readdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimitsFor } from '../../api/middleware/body-limit.js';
import { KYC_SIGNATURE_HEADER, KYC_TIMESTAMP_HEADER, signKycWebhook } from '../../core/kyc/signatures.js';
import { type AuthTestApp, createAuthTestApp } from '../helpers/sep10.js';
import {
  jsonPut,
  type KycHarness,
  newAccount,
  PNG,
  type ReceivedCallback,
  startCallbackReceiver,
  startKycHarness,
  tier1Fields,
} from './sep12.helpers.js';

/**
 * Regressions for the attack of issue 15, each reproducing what the attacker did against `npm start` (row
 * numbers are the table). The anchor is createApp served over real HTTP so the socket is observable.
 */

const MB = 1024 * 1024;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Bytes of request body the client managed to hand to the kernel before the answer came. */
  bodyBytesWritten: number;
  closedByServer: boolean;
  ms: number;
}

/**
 * Sends `total` bytes of body as fast as the socket takes them (Content-Length or chunked) and stops at the
 * first complete answer; resolves once the server closed the socket or `closeWaitMs` passed after the answer.
 */
function floodRequest(
  port: number,
  path: string,
  opts: { total: number; chunked: boolean; contentType?: string; closeWaitMs?: number },
): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let written = 0;
    let answer: Omit<RawAnswer, 'closedByServer' | 'ms'> | undefined;
    let done = false;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      if (!answer) reject(new Error(`no answer (wrote ${written} bytes)`));
      else resolve({ ...answer, closedByServer, ms: Date.now() - started });
    };
    const pump = () => {
      while (!answer && written < opts.total) {
        const n = Math.min(chunk.length, opts.total - written);
        const piece = opts.chunked
          ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), chunk.subarray(0, n), Buffer.from('\r\n')])
          : chunk.subarray(0, n);
        written += n;
        if (!socket.write(piece)) return socket.once('drain', pump);
      }
      if (!answer && opts.chunked) socket.write('0\r\n\r\n');
    };
    socket.on('connect', () => {
      const head = [
        `POST ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        `Content-Type: ${opts.contentType ?? 'application/json'}`,
        opts.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${opts.total}`,
        '',
        '',
      ].join('\r\n');
      socket.write(head);
      pump();
    });
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (answer) return;
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers['content-length'] ?? '0');
      if (received.length < end + 4 + length) return;
      answer = {
        status: Number(statusLine!.split(' ')[1]),
        headers,
        body: received.subarray(end + 4, end + 4 + length).toString('utf8'),
        bodyBytesWritten: written,
      };
      setTimeout(() => finish(false), opts.closeWaitMs ?? 2_000).unref();
    });
    // Once the answer is in, a reset of our unfinished upload is the expected way for the server to stop it.
    socket.on('error', (err) => (answer ? finish(true) : reject(err)));
    socket.on('close', () => finish(true));
  });
}

describe('issue 15 attack regressions', () => {
  let t: AuthTestApp;
  let server: ReturnType<typeof serve>;
  let port: number;
  const sockets: Socket[] = [];
  const bytesReadByServer = () => sockets.reduce((n, s) => n + s.bytesRead, 0);

  beforeAll(async () => {
    // Uploads of 256 KB at most: the upload class then allows 3 MB per request (8 documents + 1 MB).
    t = await createAuthTestApp({ KYC_UPLOAD_MAX_BYTES: String(256 * 1024) });
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    server.on('connection', (s: Socket) => sockets.push(s));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    (server as Server | undefined)?.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t?.close();
  });

  describe('row 2 + row 5: a 50 MB unauthenticated body → 413 before auth, reading no more than the limit', () => {
    const limits = () => bodyLimitsFor(t.config);
    const cases = [
      { path: '/webhooks/kyc', cls: 'webhook' as const },
      {
        path: '/sep24/interactive/deposit/amount',
        cls: 'page' as const,
        contentType: 'application/x-www-form-urlencoded',
      },
      { path: '/auth', cls: 'api' as const },
      { path: '/kyc/customer', cls: 'api' as const },
      { path: '/sep24/transactions/deposit/interactive', cls: 'api' as const },
      { path: '/kyc/customer', cls: 'upload' as const, contentType: 'multipart/form-data; boundary=x' },
    ];
    for (const { path, cls, contentType } of cases) {
      for (const chunked of [false, true]) {
        it(`${path} (${cls}${contentType?.startsWith('multipart') ? ', multipart' : ''}, ${chunked ? 'chunked' : 'Content-Length'})`, async () => {
          const before = bytesReadByServer();
          const total = 50 * MB;
          const res = await floodRequest(port, path, {
            total,
            chunked,
            ...(contentType ? { contentType } : {}),
          });
          expect(res.status).toBe(413);
          expect(res.headers.connection).toBe('close');
          expect(JSON.parse(res.body)).toEqual({ error: expect.stringContaining('larger than') });
          expect(res.closedByServer).toBe(true);
          // What the server took off the wire: the limit plus what was in flight (socket buffers), never the
          // 50 MB the attacker sent; before the fix a refused body was still drained in full.
          const read = bytesReadByServer() - before;
          expect(read).toBeLessThan(limits()[cls] + 4 * MB);
          expect(res.ms).toBeLessThan(5_000);
        });
      }
    }

    it('a body within the limit still reaches its route (401 for the unsigned webhook, not 413)', async () => {
      const res = await floodRequest(port, '/webhooks/kyc', { total: 1024, chunked: true, closeWaitMs: 0 });
      expect(res.status).toBe(401);
    });

    it('the next request on a new connection is answered (the server is not wedged)', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBeLessThan(500);
    });
  });
});

describe('issue 15 row 1: concurrent KYC webhooks → one decision per check, one callback per decision', () => {
  let h: KycHarness;
  const submitted: string[] = [];
  beforeAll(async () => {
    h = await startKycHarness();
    // The provider only records checks: the test sends the verdicts itself, as an attacker replaying them.
    h.ctx.provider = {
      submitCheck: async (req) => {
        submitted.push(req.reference);
        return { providerCheckId: `attack-${submitted.length}` };
      },
    };
  });
  afterAll(async () => {
    await h?.close();
  });

  const deliver = async (event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    const ts = Math.floor(Date.now() / 1000);
    const res = await h.app.request('/webhooks/kyc', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [KYC_TIMESTAMP_HEADER]: String(ts),
        [KYC_SIGNATURE_HEADER]: signKycWebhook(h.config.kyc.webhookSecret, ts, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { status: string }).status;
  };

  /** A customer with tier 1 complete, a callback registered, and its check submitted to the provider. */
  async function customerWithOpenCheck(walletUrl: string) {
    const account = newAccount();
    const token = await h.token(account);
    expect((await h.app.request('/kyc/customer', jsonPut(token, tier1Fields()))).status).toBe(202);
    expect((await h.app.request('/kyc/customer/callback', jsonPut(token, { url: walletUrl }))).status).toBe(
      200,
    );
    const check = await h.tdb.db
      .selectFrom('kyc_checks')
      .innerJoin('customers', 'customers.id', 'kyc_checks.customer_id')
      .select(['kyc_checks.id', 'kyc_checks.status', 'customers.id as customerId'])
      .where('customers.account', '=', account)
      .executeTakeFirstOrThrow();
    expect(check.status).toBe('submitted');
    return { account, token, checkId: check.id, customerId: check.customerId };
  }

  const rowsOf = async (customerId: string, checkId: string) => ({
    customer: await h.tdb.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow(),
    check: await h.tdb.db
      .selectFrom('kyc_checks')
      .selectAll()
      .where('id', '=', checkId)
      .executeTakeFirstOrThrow(),
  });

  /** Callbacks carrying a final status for this customer: one per decision. */
  const decisionCallbacks = (received: ReceivedCallback[], customerId: string) =>
    received
      .map((r) => JSON.parse(r.body) as { id?: string; status: string })
      .filter((b) => b.id === customerId && (b.status === 'ACCEPTED' || b.status === 'REJECTED'));

  it('20 concurrent copies of one event_id → exactly one "applied", 19 "duplicate", one ACCEPTED callback', async () => {
    const wallet = await startCallbackReceiver();
    try {
      const { checkId, customerId } = await customerWithOpenCheck(wallet.url);
      const event = { event_id: `evt-${checkId}`, reference: checkId, result: 'approved' };
      const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(event)));
      expect(answers.filter((a) => a === 'applied')).toHaveLength(1);
      expect(answers.filter((a) => a === 'duplicate')).toHaveLength(19);
      const { customer, check } = await rowsOf(customerId, checkId);
      expect(check.status).toBe('approved');
      expect(customer.status).toBe('ACCEPTED');
      expect(customer.accepted_tier).toBe(1);
      await h.ctx.callbacks.idle();
      expect(decisionCallbacks(wallet.received, customerId).map((b) => b.status)).toEqual(['ACCEPTED']);
      const events = await h.tdb.db
        .selectFrom('kyc_webhook_events')
        .select('event_id')
        .where('event_id', '=', event.event_id)
        .execute();
      expect(events).toHaveLength(1);
    } finally {
      await wallet.close();
    }
  });

  it('an "approved" and a "rejected" verdict sent at once → one decision, the customer agrees with the check, one callback', async () => {
    const wallet = await startCallbackReceiver();
    try {
      for (let round = 0; round < 5; round++) {
        const { checkId, customerId } = await customerWithOpenCheck(wallet.url);
        // Several copies of each so the two verdicts really overlap in the database.
        const verdicts = ['approved', 'rejected'].flatMap((result) =>
          Array.from({ length: 3 }, () => ({
            event_id: `evt-${result}-${checkId}`,
            reference: checkId,
            result,
          })),
        );
        const answers = await Promise.all(verdicts.map((v) => deliver(v)));
        expect(answers.filter((a) => a === 'applied')).toHaveLength(1);
        expect(answers.filter((a) => a === 'already_decided')).toHaveLength(1);
        expect(answers.filter((a) => a === 'duplicate')).toHaveLength(4);
        const { customer, check } = await rowsOf(customerId, checkId);
        if (check.status === 'approved') {
          expect(customer.status).toBe('ACCEPTED');
          expect(customer.accepted_tier).toBe(1);
        } else {
          expect(check.status).toBe('rejected');
          expect(customer.status).toBe('REJECTED');
          expect(customer.accepted_tier).toBe(0);
        }
        await h.ctx.callbacks.idle();
        expect(decisionCallbacks(wallet.received, customerId).map((b) => b.status)).toEqual([
          customer.status,
        ]);
      }
    } finally {
      await wallet.close();
    }
  });

  it('8 concurrent PUTs that complete tier 1 at once → one PROCESSING callback, one provider check', async () => {
    const wallet = await startCallbackReceiver();
    try {
      const account = newAccount();
      const token = await h.token(account);
      const { first_name } = tier1Fields();
      expect((await h.app.request('/kyc/customer', jsonPut(token, { first_name }))).status).toBe(202);
      expect(
        (await h.app.request('/kyc/customer/callback', jsonPut(token, { url: wallet.url }))).status,
      ).toBe(200);
      const customerId = (
        await h.tdb.db
          .selectFrom('customers')
          .select('id')
          .where('account', '=', account)
          .executeTakeFirstOrThrow()
      ).id;
      const puts = await Promise.all(
        Array.from({ length: 8 }, () => h.app.request('/kyc/customer', jsonPut(token, tier1Fields()))),
      );
      expect(puts.map((r) => r.status)).toEqual(Array(8).fill(202));
      await h.ctx.callbacks.idle();
      const statuses = wallet.received
        .map((r) => JSON.parse(r.body) as { id?: string; status: string })
        .filter((b) => b.id === customerId)
        .map((b) => b.status);
      expect(statuses.filter((st) => st === 'PROCESSING')).toEqual(['PROCESSING']);
      const checks = await h.tdb.db
        .selectFrom('kyc_checks')
        .select('id')
        .where('customer_id', '=', customerId)
        .execute();
      expect(checks).toHaveLength(1);
    } finally {
      await wallet.close();
    }
  });

  it('a verdict whose application fails is rolled back with its event id: the provider retry applies it', async () => {
    const wallet = await startCallbackReceiver();
    try {
      const { checkId, customerId } = await customerWithOpenCheck(wallet.url);
      // Break the transaction after the event id was claimed: a customer status the schema now refuses.
      await sql`alter table customers add constraint attack_no_rejection check (status <> 'REJECTED') not valid`.execute(
        h.tdb.db,
      );
      const event = { event_id: `evt-rollback-${checkId}`, reference: checkId, result: 'rejected' };
      try {
        const body = JSON.stringify(event);
        const ts = Math.floor(Date.now() / 1000);
        const res = await h.app.request('/webhooks/kyc', {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            [KYC_TIMESTAMP_HEADER]: String(ts),
            [KYC_SIGNATURE_HEADER]: signKycWebhook(h.config.kyc.webhookSecret, ts, body),
          },
          body,
        });
        expect(res.status).toBe(500);
      } finally {
        await h.tdb.db.schema.alterTable('customers').dropConstraint('attack_no_rejection').execute();
      }
      expect((await rowsOf(customerId, checkId)).check.status).toBe('submitted');
      expect(await deliver(event)).toBe('applied');
      const { customer, check } = await rowsOf(customerId, checkId);
      expect([check.status, customer.status]).toEqual(['rejected', 'REJECTED']);
    } finally {
      await wallet.close();
    }
  });
});

describe('issue 15 rows 3 and 8: SEP-12 PUT writes all fields or none, and needs at least one', () => {
  let h: KycHarness;
  beforeAll(async () => {
    h = await startKycHarness();
    h.ctx.provider = { submitCheck: async () => ({ providerCheckId: 'recorded-only' }) };
  });
  afterAll(async () => {
    await h?.close();
  });

  const storedFor = async (account: string) => ({
    customers: await h.tdb.db.selectFrom('customers').select('id').where('account', '=', account).execute(),
    fields: await h.tdb.db
      .selectFrom('customer_fields')
      .innerJoin('customers', 'customers.id', 'customer_fields.customer_id')
      .select('customer_fields.name')
      .where('customers.account', '=', account)
      .execute(),
  });

  it('a PUT that fails after its first field was written leaves no customer, no field and no document', async () => {
    const account = newAccount();
    const token = await h.token(account);
    // The database refuses the last value written, after the customer row and the other fields went in.
    await sql`alter table customer_fields add constraint attack_refused check (value is distinct from 'Refused') not valid`.execute(
      h.tdb.db,
    );
    try {
      const form = new FormData();
      for (const [k, v] of Object.entries(tier1Fields('Refused'))) form.set(k, v);
      form.set('photo_id_front', new File([PNG], 'id.png', { type: 'image/png' }));
      const res = await h.app.request('/kyc/customer', {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}` },
        body: form,
      });
      expect(res.status).toBe(500);
    } finally {
      await sql`alter table customer_fields drop constraint attack_refused`.execute(h.tdb.db);
    }
    expect(await storedFor(account)).toEqual({ customers: [], fields: [] });
    const documents = (await readdir(h.uploadDir, { recursive: true, withFileTypes: true })).filter((e) =>
      e.isFile(),
    );
    expect(documents).toEqual([]);
    // The same PUT once the database accepts it stores everything.
    const ok = await h.app.request('/kyc/customer', jsonPut(token, tier1Fields('Accepted')));
    expect(ok.status).toBe(202);
    expect((await storedFor(account)).fields.map((f) => f.name).sort()).toEqual([
      'email_address',
      'first_name',
      'last_name',
    ]);
  });

  it("a NUL byte in one field (the fuzzer's input) is a 4xx-or-rollback: nothing of the PUT is stored", async () => {
    const account = newAccount();
    const token = await h.token(account);
    const res = await h.app.request(
      '/kyc/customer',
      jsonPut(token, { ...tier1Fields(), last_name: 'Do\u0000e' }),
    );
    expect(res.status).not.toBe(202);
    expect(await storedFor(account)).toEqual({ customers: [], fields: [] });
  });

  it('row 8: PUT /kyc/customer with no body, an empty JSON object or only non-SEP-9 keys → 400, no customer', async () => {
    const account = newAccount();
    const token = await h.token(account);
    const auth = { Authorization: `Bearer ${token}` };
    const attempts = [
      h.app.request('/kyc/customer', { method: 'PUT', headers: auth }),
      h.app.request('/kyc/customer', jsonPut(token, {})),
      h.app.request('/kyc/customer', jsonPut(token, { type: 'sep24-deposit', first_name: '   ' })),
      h.app.request('/kyc/customer', { method: 'PUT', headers: auth, body: new FormData() }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
    expect(await storedFor(account)).toEqual({ customers: [], fields: [] });
  });
});

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { SANDBOX_KYC_WEBHOOK_SECRET } from '../../config/sandbox-keys.js';
import { createDb } from '../../db/index.js';
import { startSandboxKyc } from '../../sandbox/kyc/server.js';
import { serveOnFreePort } from '../helpers/bank.js';
import { bearer, jsonPut, newAccount, startKycHarness, tier1Fields, waitFor } from './sep12.helpers.js';

/**
 * Issue 15 item 5: the sandbox KYC provider keeps its checks in Postgres (its own schema, as `npm start` runs it),
 * so a check submitted before a restart is still decided and its verdict still delivered after it.
 */
describe('sandbox KYC provider restart (issue 15 item 5, S12-12..14)', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    const db = createDb({ url: inject('pgUrl'), poolSize: 1 });
    for (const s of schemas) await sql`drop schema if exists ${sql.id(s)} cascade`.execute(db);
    await db.destroy();
  });

  it('a check submitted before the provider restarts is decided after it: the customer becomes ACCEPTED', async () => {
    const h = await startKycHarness({ persistSandbox: true, delayMs: 1500 });
    try {
      const token = await h.token(newAccount());
      const put = await h.app.request('/kyc/customer', jsonPut(token, tier1Fields()));
      expect(put.status).toBe(202);
      const status = async () => {
        const res = await h.app.request('/kyc/customer', { headers: bearer(token) });
        return ((await res.json()) as { status: string }).status;
      };
      expect(await status()).toBe('PROCESSING');
      // The provider goes down before its decision is due (1.5 s), with the check pending.
      expect([...h.sandbox.checks.values()].map((c) => c.status)).toEqual(['pending']);
      await h.restartSandbox();
      expect([...h.sandbox.checks.values()].map((c) => c.status)).toEqual(['pending']);
      await waitFor(async () => (await status()) === 'ACCEPTED', 20_000, 'the verdict after the restart');
      expect([...h.sandbox.checks.values()].map((c) => c.status)).toEqual(['delivered']);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a verdict the anchor has not acknowledged yet is delivered by the restarted provider, same event id', async () => {
    let up = false;
    const received: { event_id: string; result: string }[] = [];
    let refused = 0;
    const anchor = await serveOnFreePort(async (req) => {
      if (!up) {
        refused++;
        return new Response('down', { status: 503 });
      }
      received.push((await req.json()) as { event_id: string; result: string });
      return new Response('{}', { status: 200 });
    });
    const schema = `skyc_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    const options = {
      port: 0,
      webhookUrl: `${anchor.url}/webhooks/kyc`,
      webhookSecret: SANDBOX_KYC_WEBHOOK_SECRET,
      delayMs: 0,
      retryBaseMs: 200,
      logger: createLogger('sandbox-kyc', 'silent'),
      dbUrl: inject('pgUrl'),
      schema,
    };
    let kyc = await startSandboxKyc(options);
    try {
      const res = await fetch(`${kyc.url}/checks`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ reference: 'ref-1', tier: 1, fields: { last_name: 'Reject' } }),
      });
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      await waitFor(async () => refused >= 1, 10_000, 'a refused delivery');
      await kyc.close();

      kyc = await startSandboxKyc({ ...options, port: kyc.port });
      expect(kyc.checks.get(id)).toMatchObject({ status: 'decided', verdict: 'rejected' });
      expect(kyc.checks.get(id)!.attempts).toBeGreaterThanOrEqual(1);
      // the same reference again is the same check, not a second one
      const again = await fetch(`${kyc.url}/checks`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ reference: 'ref-1', tier: 1, fields: { last_name: 'Doe' } }),
      });
      expect(((await again.json()) as { id: string }).id).toBe(id);
      up = true;
      await waitFor(async () => kyc.checks.get(id)?.status === 'delivered', 20_000, 'delivery after restart');
      expect(received).toEqual([expect.objectContaining({ event_id: `evt_${id}`, result: 'rejected' })]);
    } finally {
      await kyc.close();
      await anchor.close();
    }
  }, 60_000);
});

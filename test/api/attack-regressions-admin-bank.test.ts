import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { createTestApiDeps, type TestApiDeps } from '../helpers/api.js';
import { postSigned, transferEvent } from '../helpers/bank-webhook.js';
import { testConfig } from '../helpers/config.js';
import { adminKey, adminKeysEnv, call } from './admin-helpers.js';

/**
 * Regressions for the attack of issue 15 (rows 6 and 7 of its table): the signed bank webhook with an amount
 * Postgres cannot hold, and the anonymous /admin flood that wrote one audit row per request.
 */

const LIMIT = 10;

describe('issue 15 attack regressions: bank webhook amounts, anonymous /admin flood', () => {
  const reader = adminKey('reader', 'transactions:read');
  const config = testConfig({
    ADMIN_API_KEYS: adminKeysEnv([reader]),
    ADMIN_AUTH_RATE_LIMIT_MAX: String(LIMIT),
    BANK_WEBHOOK_TOLERANCE_SECONDS: '300',
  });
  let api: TestApiDeps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    api = await createTestApiDeps(config, { schemaPrefix: 'atk67' });
    app = createApp(api.deps);
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('row 7: a signed bank webhook with an amount beyond int64 stroops', () => {
    for (const amount of [
      '1'.repeat(24), // the attack: more integer digits than numeric(30,7) holds → was 500 "numeric field overflow"
      `${'9'.repeat(23)}.5`,
      '922337203685.4775808', // one stroop above the largest Stellar amount
    ]) {
      it(`refuses ${amount} with 400 {"error"} naming the amount, recording nothing`, async () => {
        const event = transferEvent({ amount });
        const res = await postSigned(app, config, JSON.stringify(event));
        expect(res.status).toBe(400);
        const body = (await res.json()) as { error: string };
        expect(body.error).toMatch(/amount/);
        const row = await api.tdb.db
          .selectFrom('bank_transfers')
          .select('id')
          .where('id', '=', event.data.transfer.id)
          .executeTakeFirst();
        expect(row).toBeUndefined();
      });
    }

    it('still takes the largest Stellar amount (the bound is int64 stroops, not less)', async () => {
      const event = transferEvent({ amount: '922337203685.4775807', reference: 'nothing to match' });
      const res = await postSigned(app, config, JSON.stringify(event));
      expect(res.status).toBe(200);
    });
  });

  describe('row 6: anonymous and bad-key /admin requests are rate-limited and audited as counted entries', () => {
    const failedAuthRows = () =>
      api.tdb.db
        .selectFrom('admin_audit')
        .selectAll()
        .where('actor', '=', 'unauthenticated')
        .where('action', '=', 'authenticate')
        .execute();

    it(`200 bad requests → at most a few audit rows counting all 200, 429 after ${LIMIT}; a valid key still works`, async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) {
        const opts =
          i % 3 === 0
            ? {}
            : i % 3 === 1
              ? { key: `${reader.raw}x` }
              : { headers: { 'X-Admin-Key': `adm_guess_${i}` } };
        const res = await call(app, 'GET', `/admin/transactions?i=${i}`, opts);
        statuses.push(res.status);
        const body = (await res.json()) as { error?: unknown };
        expect(typeof body.error).toBe('string');
        if (res.status === 429) expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
      }
      expect(statuses.slice(0, LIMIT).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true);

      const rows = await failedAuthRows();
      // One row per client and window; the run may straddle a minute boundary, so allow two.
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows.length).toBeLessThanOrEqual(2);
      expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(200);
      expect(rows.every((r) => r.outcome === 'denied' && r.client_ip === 'unknown')).toBe(true);
      // No key, guessed or real, is ever stored.
      expect(JSON.stringify(rows)).not.toContain(reader.raw);
      expect(JSON.stringify(rows)).not.toContain('adm_guess_');

      // The operator is not locked out by the flood from the same address.
      const ok = await call(app, 'GET', '/admin/transactions', { key: reader.raw });
      expect(ok.status).toBe(200);
      const last = await api.tdb.db
        .selectFrom('admin_audit')
        .selectAll()
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(last).toMatchObject({ actor: 'reader', action: 'transactions.search', outcome: 'ok' });
      // ...and a bad key after it is still refused with 429, not let through.
      expect((await call(app, 'GET', '/admin/transactions', { key: `${reader.raw}y` })).status).toBe(429);
    });
  });
});

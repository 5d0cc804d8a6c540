import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../api/sep10/jwt.js';
import { REDACT_PATHS } from '../../config/logger.js';
import { KYC_SIGNATURE_HEADER, KYC_TIMESTAMP_HEADER, signKycWebhook } from '../../core/kyc/signatures.js';
import { testConfig } from '../helpers/config.js';
import {
  bearer,
  jsonPut,
  type KycHarness,
  newAccount,
  startKycHarness,
  tier1Fields,
  waitFor,
} from './sep12.helpers.js';

describe('SEP-12 security: auth, isolation, webhook signatures, no personal data in logs', () => {
  let h: KycHarness;
  const logLines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    const logger = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    h = await startKycHarness({ logger });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('S12-01 / X-09: every endpoint without a token, or with a forged one, is 401 {"error"}', async () => {
    const forged = await issueToken(testConfig({ JWT_SECRET: 'x'.repeat(40) }), { sub: newAccount() });
    const account = newAccount();
    const calls: [string, string][] = [
      ['GET', '/kyc/customer'],
      ['PUT', '/kyc/customer'],
      ['PUT', '/kyc/customer/verification'],
      ['PUT', '/kyc/customer/callback'],
      ['DELETE', `/kyc/customer/${account}`],
    ];
    for (const [method, path] of calls) {
      for (const headers of [{}, bearer(forged), { Authorization: 'Basic abc' }]) {
        const res = await h.app.request(path, { method, headers });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(typeof ((await res.json()) as { error: unknown }).error).toBe('string');
      }
    }
  });

  it('S12-02: an `account` parameter that is not the token account is 403', async () => {
    const token = await h.token(newAccount());
    const res = await h.app.request(`/kyc/customer?account=${newAccount()}`, { headers: bearer(token) });
    expect(res.status).toBe(403);
    const put = await h.app.request(
      '/kyc/customer',
      jsonPut(token, { account: newAccount(), ...tier1Fields() }),
    );
    expect(put.status).toBe(403);
  });

  it('S12-03 / X-10: shared account isolation by memo — another memo cannot read, write or delete the customer', async () => {
    const shared = newAccount();
    const alice = await h.token(`${shared}:1001`);
    const bob = await h.token(`${shared}:1002`);
    const put = await h.app.request('/kyc/customer', jsonPut(alice, tier1Fields('Alice')));
    const { id } = (await put.json()) as { id: string };

    // Bob names Alice's memo: 403; names Alice's id: 404; his own view has no id and no fields of hers
    expect((await h.app.request('/kyc/customer?memo=1001', { headers: bearer(bob) })).status).toBe(403);
    expect((await h.app.request(`/kyc/customer?id=${id}`, { headers: bearer(bob) })).status).toBe(404);
    const own = (await (await h.app.request('/kyc/customer', { headers: bearer(bob) })).json()) as Record<
      string,
      unknown
    >;
    expect(own.id).toBeUndefined();
    expect(JSON.stringify(own)).not.toContain('Alice');
    // S12-15: PUT with someone else's id is 404; nothing changes
    expect((await h.app.request('/kyc/customer', jsonPut(bob, { id, last_name: 'Mallory' }))).status).toBe(
      404,
    );
    const stored = await h.tdb.db
      .selectFrom('customer_fields')
      .select('value')
      .where('customer_id', '=', id)
      .where('name', '=', 'last_name')
      .executeTakeFirstOrThrow();
    expect(stored.value).toBe('Alice');
    // S12-20: Bob cannot delete Alice by naming her memo
    const del = await h.app.request(`/kyc/customer/${shared}`, {
      method: 'DELETE',
      headers: { ...bearer(bob), 'Content-Type': 'application/json' },
      body: JSON.stringify({ memo: '1001' }),
    });
    expect(del.status).toBe(403);
    expect(
      await h.tdb.db.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst(),
    ).toBeDefined();
  });

  it('S12-10: an id of another account is 404', async () => {
    const a = await h.token(newAccount());
    const b = await h.token(newAccount());
    const { id } = (await (await h.app.request('/kyc/customer', jsonPut(a, tier1Fields()))).json()) as {
      id: string;
    };
    expect((await h.app.request(`/kyc/customer?id=${id}`, { headers: bearer(b) })).status).toBe(404);
    expect(
      (await h.app.request('/kyc/customer/callback', jsonPut(b, { id, url: 'https://evil.example/cb' })))
        .status,
    ).toBe(404);
  });

  it('S12-19: DELETE for a path account that is not the token account is 401', async () => {
    const token = await h.token(newAccount());
    const res = await h.app.request(`/kyc/customer/${newAccount()}`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    expect(res.status).toBe(401);
  });

  it('S12-03, X-10: an M... token is its own customer with the muxed id as memo; a different memo is 403', async () => {
    const { MuxedAccount, Account } = await import('@stellar/stellar-sdk');
    const base = newAccount();
    const muxed = new MuxedAccount(new Account(base, '0'), '42').accountId();
    const token = await h.token(muxed);
    const put = await h.app.request('/kyc/customer', jsonPut(token, tier1Fields()));
    expect(put.status).toBe(202);
    const row = await h.tdb.db
      .selectFrom('customers')
      .selectAll()
      .where('account', '=', muxed)
      .executeTakeFirstOrThrow();
    expect(row.memo).toBe('42');
    // Not the `G...:42` customer (test/api/muxed-identity.security.test.ts has the whole rule).
    expect(await h.tdb.db.selectFrom('customers').select('id').where('account', '=', base).execute()).toEqual(
      [],
    );
    expect((await h.app.request('/kyc/customer?memo=43', { headers: bearer(token) })).status).toBe(403);
  });

  describe('POST /webhooks/kyc', () => {
    const post = (body: string, headers: Record<string, string>) =>
      h.app.request('/webhooks/kyc', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body,
      });
    const signed = (
      body: string,
      t = Math.floor(Date.now() / 1000),
      secret = h.config.kyc.webhookSecret,
    ) => ({
      [KYC_TIMESTAMP_HEADER]: String(t),
      [KYC_SIGNATURE_HEADER]: signKycWebhook(secret, t, body),
    });

    it('rejects a missing or wrong signature, another secret, and a stale timestamp (401)', async () => {
      const body = JSON.stringify({ event_id: 'e1', reference: 'r1', result: 'approved' });
      expect((await post(body, {})).status).toBe(401);
      expect((await post(body, signed(body, undefined, 'another-secret-0123456789'))).status).toBe(401);
      expect((await post(body, signed(body, Math.floor(Date.now() / 1000) - 3600))).status).toBe(401);
      const tampered = signed(body);
      expect((await post(body.replace('approved', 'rejected'), tampered)).status).toBe(401);
    });

    it('is idempotent: a redelivered event changes nothing and answers duplicate', async () => {
      const token = await h.token(newAccount());
      await h.app.request('/kyc/customer', jsonPut(token, tier1Fields()));
      const check = await waitFor(
        async () =>
          [...h.sandbox.checks.values()].find(
            (c) => c.status === 'delivered' && c.fieldNames.includes('last_name'),
          ),
        20_000,
        'delivered',
      );
      const rows = await h.tdb.db
        .selectFrom('kyc_webhook_events')
        .select('event_id')
        .where('event_id', '=', `evt_${check.id}`)
        .execute();
      expect(rows).toHaveLength(1);
      const status = await h.sandbox.redeliver(check.id);
      expect(status).toBe(200);
      const decided = await h.tdb.db
        .selectFrom('kyc_checks')
        .selectAll()
        .where('id', '=', check.reference)
        .executeTakeFirstOrThrow();
      expect(decided.status).toBe('approved');
    });

    it('acknowledges an unknown reference without changing anything', async () => {
      const body = JSON.stringify({ event_id: 'e-unknown', reference: 'no-such-check', result: 'rejected' });
      const res = await post(body, signed(body));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('ignored');
    });
  });

  it('a check the provider lost is sent again (same reference) once KYC_CHECK_RESEND_SECONDS have passed', async () => {
    const account = newAccount();
    const token = await h.token(account);
    const sent: string[] = [];
    const saved = h.ctx.provider;
    h.ctx.provider = {
      submitCheck: async (req) => {
        sent.push(req.reference);
        return { providerCheckId: 'lost-by-provider' };
      },
    };
    // Only this customer's checks: verdicts of earlier tests may still be arriving for other customers.
    const mine = async () => {
      const checks = await h.tdb.db
        .selectFrom('kyc_checks')
        .innerJoin('customers', 'customers.id', 'kyc_checks.customer_id')
        .select('kyc_checks.id')
        .where('customers.account', '=', account)
        .execute();
      const ids = new Set(checks.map((c) => c.id));
      return sent.filter((r) => ids.has(r));
    };
    try {
      await h.app.request('/kyc/customer', jsonPut(token, tier1Fields()));
      const [first] = await mine();
      expect(await mine()).toEqual([first]);
      await h.app.request('/kyc/customer', { headers: bearer(token) });
      expect(await mine()).toEqual([first]); // recent: not sent again
      await h.tdb.db
        .updateTable('kyc_checks')
        .set({ last_sent_at: new Date(Date.now() - (h.config.kyc.checkResendSeconds + 5) * 1000) })
        .where('id', '=', first!)
        .execute();
      await h.app.request('/kyc/customer', { headers: bearer(token) });
      expect(await mine()).toEqual([first, first]);
    } finally {
      h.ctx.provider = saved;
    }
  });

  it('personal data never reaches the logs (even when the provider is down)', async () => {
    const token = await h.token(newAccount());
    const saved = h.ctx.provider;
    h.ctx.provider = { submitCheck: async () => Promise.reject(new Error('connect ECONNREFUSED')) };
    try {
      await h.app.request(
        '/kyc/customer',
        jsonPut(token, { first_name: 'Zebulon', last_name: 'Quixotic', email_address: 'zq@private.example' }),
      );
    } finally {
      h.ctx.provider = saved;
    }
    const all = logLines.join('\n');
    expect(all).toContain('KYC check not submitted yet');
    for (const secret of ['Zebulon', 'Quixotic', 'zq@private.example']) expect(all).not.toContain(secret);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../api/admin/doctor.js';
import { completeDepositPages } from '../e2e/stack/wallet.js';
import { type AnchorStack, bankTransfer, startAnchorStack } from '../helpers/anchor-stack.js';

/**
 * Operator guide, "Testing Edge Cases" → Security Tests, on the real stack: who pays on the ledger, who trades,
 * and what every authenticated route of the app answers without a token.
 */
const OFFER_OPS = new Set(['manage_sell_offer', 'manage_buy_offer', 'create_passive_sell_offer']);

/** Routes anyone may call without a SEP-10 token (everything else under these surfaces must refuse). */
const PUBLIC = new Set([
  'GET /auth', // the challenge
  'POST /auth', // the token exchange
  'GET /auth/jwks.json',
  'GET /sep24/info',
  'GET /sep24/more_info', // opened from the wallet by id, shows no personal data
  // a requote's answer: authorised by the signed more_info_url the wallet got with its JWT (exchange e2e test)
  'POST /sep24/more_info/quote',
  'POST /webhooks/kyc', // signed by the provider (own tests)
  'POST /webhooks/bank', // signed by the bank (own tests)
]);
/** The hosted pages authenticate with the one-time token of the interactive URL, then a session, not a JWT. */
const HOSTED = /^\/(sep24\/interactive|kyc\/interactive)/;

describe('guide: Security Tests', () => {
  let s: AnchorStack;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'gsec' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const doctor = (name: string) => {
    const check = CHECKS.find((c) => c.name === name);
    if (!check) throw new Error(`no doctor check ${name}`);
    return check.run({ config: s.config, db: s.tdb.db, temporal: s.temporal.client, dbSchema: s.tdb.schema });
  };

  it('guide: Ensure distribution is done through a dedicated distribution account (not the issuing account)', async () => {
    const { issuerAccount, distributionAccount, signingKey } = s.config.stellar;
    expect(distributionAccount).not.toBe(issuerAccount);
    expect(await doctor('keys.distinct')).toMatchObject({ ok: true });

    const user = await s.walletUser();
    const jwt = await s.token(user);
    const started = await s.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, amount: '12' },
    });
    const { url, id } = started.body as { url: string; id: string };
    await bankTransfer(s.bank.url, await completeDepositPages(url, '12'), '12');
    const done = await s.waitForStatus(jwt, id, ['completed', 'error', 'refunded'], 90_000);
    expect(done.status).toBe('completed');

    // On the ledger: the deposit's transaction and its payment both come from the distribution account.
    const hash = String(done.stellar_transaction_id);
    const tx = await s.horizon.server.transactions().transaction(hash).call();
    expect(tx.source_account).not.toBe(issuerAccount);
    const payments = (await s.horizon.server.payments().forTransaction(hash).call()).records;
    expect(payments.length).toBeGreaterThan(0);
    for (const p of payments) {
      expect(p.type).toBe('payment');
      expect((p as unknown as { from: string }).from).toBe(distributionAccount);
      expect((p as unknown as { to: string }).to).toBe(user.publicKey());
    }
    // Every payment the user ever received from the anchor came from distribution, none from the issuer.
    const received = (await s.horizon.server.payments().forAccount(user.publicKey()).call()).records.filter(
      (p) => p.type === 'payment' && (p as unknown as { to: string }).to === user.publicKey(),
    );
    expect(received.map((p) => (p as unknown as { from: string }).from)).toEqual([distributionAccount]);
    expect(signingKey).not.toBe(distributionAccount);
  });

  it('guide: Ensure market making is done through a dedicated account (not the issuing account)', async () => {
    // The issuer never placed an offer on the ledger (set-up, deposits and all): its whole operation history.
    const ops = (
      await s.horizon.server.operations().forAccount(s.config.stellar.issuerAccount).limit(200).call()
    ).records;
    expect(ops.length).toBeGreaterThan(0); // it did exist and act (issuing to distribution)
    expect(ops.filter((op) => OFFER_OPS.has(op.type))).toEqual([]);
    // And the readiness check an operator runs (npm run doctor, GET /admin/ready) agrees.
    expect(await doctor('issuer.no_offers')).toMatchObject({ ok: true });
    // The check is not a formality: a Horizon that lists an open offer of the issuer fails it.
    const withOffer = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes(`/accounts/${s.config.stellar.issuerAccount}/offers`)) {
        return Response.json({
          _embedded: { records: [{ id: '1', seller: s.config.stellar.issuerAccount }] },
        });
      }
      return fetch(input, init);
    }) as typeof fetch;
    const check = CHECKS.find((c) => c.name === 'issuer.no_offers')!;
    const failed = await check.run({
      config: s.config,
      db: s.tdb.db,
      temporal: s.temporal.client,
      fetch: withOffer,
    });
    expect(failed).toMatchObject({ ok: false });
    expect(failed.fix).toMatch(/dedicated account/);
  });

  it('guide: Make sure all authenticated endpoints are not accessible without the JWT tokens (S24-04, S12-01)', async () => {
    const routes = new Map<string, { method: string; path: string }>();
    for (const r of s.app.routes) {
      if (r.method === 'ALL') continue;
      if (!/^\/(auth|kyc|sep24)(\/|$)/.test(r.path)) continue;
      routes.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
    }
    const authenticated = [...routes.entries()].filter(([k, r]) => !PUBLIC.has(k) && !HOSTED.test(r.path));
    // The SEP-12 and SEP-24 routes a wallet calls with its token, found from the app itself, not from a list.
    expect(authenticated.map(([k]) => k)).toEqual(
      expect.arrayContaining([
        'GET /kyc/customer',
        'PUT /kyc/customer',
        'DELETE /kyc/customer/:account',
        'POST /sep24/transactions/deposit/interactive',
        'POST /sep24/transactions/withdraw/interactive',
        'GET /sep24/transaction',
        'GET /sep24/transactions',
      ]),
    );
    const user = await s.walletUser();
    const jwt = await s.token(user);
    const concrete = (path: string) => path.replace(':account', user.publicKey());
    for (const [key, r] of authenticated) {
      const sep24 = r.path.startsWith('/sep24');
      for (const auth of [undefined, 'Bearer not-a-token', `Bearer ${jwt.slice(0, -4)}AAAA`]) {
        const res = await fetch(
          `${s.baseUrl}${concrete(r.path)}?asset_code=${s.config.stellar.assetCode}&id=x`,
          {
            method: r.method,
            headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) },
            ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { body: '{}' }),
          },
        );
        // SEP-24 answers 403 authentication_required, SEP-12 401; /auth/whoami either.
        const expected = sep24 ? [403] : r.path.startsWith('/kyc') ? [401] : [401, 403];
        expect(expected, `${key} with ${auth ?? 'no token'}: ${res.status}`).toContain(res.status);
        const body = (await res.json()) as Record<string, unknown>;
        if (res.status === 403) expect(body.type, key).toBe('authentication_required');
        else expect(body.error, key).toEqual(expect.any(String));
      }
    }
    // The hosted pages refuse a request without their one-time token or session.
    for (const [key, r] of routes) {
      if (!HOSTED.test(r.path)) continue;
      const res = await fetch(`${s.baseUrl}${r.path}`, {
        method: r.method,
        ...(r.method === 'POST'
          ? { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'amount=10' }
          : {}),
        redirect: 'manual',
      });
      expect(res.status, key).toBeGreaterThanOrEqual(400);
      expect(res.status, key).toBeLessThan(500);
    }
    // With the token, the same calls get through (the refusals above were about the token, nothing else).
    expect((await s.call('/sep24/transactions', { jwt })).status).not.toBe(403);
    expect((await s.call('/kyc/customer', { jwt })).status).toBe(200);
  });
});

import { Asset, Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeWithdrawPages, postForm } from '../e2e/stack/wallet.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';
import { interactiveResponseSchema, withdrawTransactionSchema } from './sep24-schemas.js';

/**
 * Operator guide, "Testing Edge Cases" → Withdraw Tests: every item one test, on the real stack (sandbox ledger,
 * payment observer, sandbox bank payouts, real worker and Postgres).
 */
describe('guide: Withdraw Tests', () => {
  let s: AnchorStack;

  beforeAll(async () => {
    s = await startAnchorStack({
      prefix: 'gwd',
      observers: true,
      env: {
        // Its own receiving account: the observer's workflow id (observer-<account>) is not shared with other files.
        DISTRIBUTION_SECRET: Keypair.random().secret(),
        SEP24_WITHDRAW_MIN_AMOUNT: '5',
        SEP24_WITHDRAW_MAX_AMOUNT: '5000',
        SEP24_WITHDRAW_FEE_FIXED: '1',
        WITHDRAW_PAYOUT_POLL_SECONDS: '1',
        OBSERVER_POLL_INTERVAL_MS: '200',
      },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  const start = (jwt: string | undefined, body: Record<string, unknown>) =>
    s.call('/sep24/transactions/withdraw/interactive', {
      ...(jwt ? { jwt } : {}),
      body: { asset_code: s.config.stellar.assetCode, ...body },
    });

  /** Opens the hosted page once (the link's token is single-use) and returns a poster for its form. */
  async function openForm(url: string) {
    const opened = await fetch(url);
    expect(opened.status).toBe(200);
    const form = postForm(await opened.text())!;
    const action = new URL(form.action, opened.url);
    return async (amount: string) => {
      const posted = await fetch(action, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          ...form.fields,
          amount,
          holder: 'Ana Garcia',
          account: 'ES9121000418450200051332',
        }).toString(),
      });
      return { status: posted.status, html: await posted.text() };
    };
  }

  it('guide: Check that withdrawals are disabled for really small and really large values (S24-09)', async () => {
    const user = await s.walletUser({ balance: '10000' });
    const jwt = await s.token(user);
    for (const [amount, error] of [
      ['0.0000001', /below the minimum of 5/],
      ['4.99', /below the minimum of 5/],
      ['5000.01', /above the maximum of 5000/],
      ['100000000000', /above the maximum of 5000/],
    ] as const) {
      const r = await start(jwt, { amount });
      expect(r.status, amount).toBe(400);
      expect(r.body.error).toMatch(error);
    }
    const ok = await start(jwt, { lang: 'en' });
    const { url, id } = ok.body as { url: string; id: string };
    const postAmount = await openForm(url);
    const small = await postAmount('1');
    expect(small.status).toBe(422);
    expect(small.html).toContain('The minimum withdrawal is 5');
    const large = await postAmount('6000');
    expect(large.status).toBe(422);
    expect(large.html).toMatch(/The maximum withdrawal is 5,000(\.00)? USDC/);
    expect((await s.call(`/sep24/transaction?id=${id}`, { jwt })).body.transaction).toMatchObject({
      status: 'incomplete',
    });
  });

  it('guide: Check that you cannot make a withdrawal with a value higher than the current balance (in the user language)', async () => {
    const user = await s.walletUser({ balance: '200' });
    const jwt = await s.token(user);
    const en = await start(jwt, { lang: 'en' });
    const postEn = await openForm((en.body as { url: string }).url);
    const refusedEn = await postEn('500');
    expect(refusedEn.status).toBe(422);
    expect(refusedEn.html).toContain('Rejected: 500.00 USDC is more than your balance of 200.00 USDC');
    const es = await start(jwt, { lang: 'es' });
    const refusedEs = await (await openForm((es.body as { url: string }).url))('500');
    expect(refusedEs.status).toBe(422);
    expect(refusedEs.html).toMatch(/Rechazado: 500,00\sUSDC supera tu saldo de 200,00\sUSDC/);
    // Exactly the balance is fine.
    const exact = await postEn('200');
    expect(exact.status).toBe(200);
    expect(exact.html).not.toContain('more than your balance');
  });

  it('guide: Check that the withdraw flow goes through, and that the banking rails are working (S24-12, S24-21)', async () => {
    const user = await s.walletUser({ balance: '200' });
    const jwt = await s.token(user);
    const r = await start(jwt, { lang: 'en' });
    const { url, id } = r.body as { url: string; id: string };
    await completeWithdrawPages(url, '50');
    const ready = await s.waitForStatus(jwt, id, ['pending_user_transfer_start'], 60_000);
    expect(ready.withdraw_anchor_account).toBe(s.config.stellar.distributionAccount);
    const paid = await s.submit(
      user,
      [
        Operation.payment({
          destination: String(ready.withdraw_anchor_account),
          asset: new Asset(s.config.stellar.assetCode, s.config.stellar.issuerAccount),
          amount: String(ready.amount_in),
        }),
      ],
      Memo.id(String(ready.withdraw_memo)),
    );
    const done = await s.waitForStatus(jwt, id, ['completed', 'refunded', 'error'], 90_000);
    expect(done).toMatchObject({
      status: 'completed',
      amount_in: '50',
      amount_fee: '1',
      amount_out: '49',
      stellar_transaction_id: paid.hash,
    });
    expect(await s.balanceOf(user.publicKey())).toBe('150.0000000');
    // The bank rails: exactly one payout of the net amount to the account the user typed.
    const payouts = await waitFor(async () => {
      const list = (await s.bank.store.recentPayouts(200)).filter(
        (p) => p.idempotency_key === `payout-${id}`,
      );
      return list.length > 0 ? list : undefined;
    });
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({ account_number: 'ES9121000418450200051332', status: 'completed' });
  });

  it('guide: Check that the endpoint returns an error if the JWT token is missing (S24-04)', async () => {
    const count = async () =>
      (await s.tdb.db.selectFrom('transactions').select('id').where('kind', '=', 'withdrawal').execute())
        .length;
    const before = await count();
    const missing = await start(undefined, { amount: '10' });
    expect(missing.status).toBe(403);
    expect(missing.body.type).toBe('authentication_required');
    const wrongScheme = await fetch(`${s.baseUrl}/sep24/transactions/withdraw/interactive`, {
      method: 'POST',
      headers: { Authorization: 'Basic dXNlcjpwYXNz', 'Content-Type': 'application/json' },
      body: JSON.stringify({ asset_code: s.config.stellar.assetCode }),
    });
    expect(wrongScheme.status).toBe(403);
    // A token signed with another key is refused the same way.
    const forged = await start('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJHQUFBIn0.c2lnbmF0dXJl', {});
    expect(forged.status).toBe(403);
    expect(await count()).toBe(before);
  });

  it('guide: Check that all withdraw params conform to protocols (S24-17, S24-27)', async () => {
    const user = await s.walletUser({ balance: '100' });
    const jwt = await s.token(user);
    const r = await start(jwt, { amount: '20' });
    expect(r.status).toBe(200);
    const interactive = interactiveResponseSchema.parse(r.body);
    const fresh = await s.call(`/sep24/transaction?id=${interactive.id}`, { jwt });
    expect(Object.keys(fresh.body)).toEqual(['transaction']);
    const tx = withdrawTransactionSchema.parse(fresh.body.transaction);
    expect(tx).toMatchObject({ kind: 'withdrawal', status: 'incomplete', from: user.publicKey() });
    expect(tx.amount_in_asset).toBe(
      `stellar:${s.config.stellar.assetCode}:${s.config.stellar.issuerAccount}`,
    );
    expect(tx.amount_out_asset).toBe('iso4217:USD');

    await completeWithdrawPages(interactive.url, '20');
    const waiting = withdrawTransactionSchema.parse(
      await s.waitForStatus(jwt, interactive.id, ['pending_user_transfer_start'], 60_000),
    );
    // What the wallet needs to pay (S24-21): account, memo and type, amount; and a deadline for the user.
    expect(waiting.withdraw_anchor_account).toMatch(/^G[A-Z2-7]{55}$/);
    expect(waiting.withdraw_memo).toBeTruthy();
    expect(waiting.withdraw_memo_type).toBe('id');
    expect(waiting.amount_in).toBe('20');
    expect(waiting.amount_out).toBe('19');
    expect(waiting.user_action_required_by).toBeDefined();
  });
});

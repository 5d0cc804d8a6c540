import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeDepositPages, postForm } from '../e2e/stack/wallet.js';
import { type AnchorStack, bankTransfer, startAnchorStack } from '../helpers/anchor-stack.js';
import { depositTransactionSchema, interactiveResponseSchema } from './sep24-schemas.js';

/**
 * Operator guide, "Testing Edge Cases" → Deposit Test: every item one test, on the real stack (sandbox ledger,
 * sandbox bank by signed webhook, real worker and Postgres).
 */
describe('guide: Deposit Test', () => {
  let s: AnchorStack;

  beforeAll(async () => {
    s = await startAnchorStack({
      prefix: 'gdep',
      env: { SEP24_DEPOSIT_MIN_AMOUNT: '5', SEP24_DEPOSIT_MAX_AMOUNT: '5000', SEP24_DEPOSIT_FEE_FIXED: '1' },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  const start = (jwt: string | undefined, body: Record<string, unknown>) =>
    s.call('/sep24/transactions/deposit/interactive', {
      ...(jwt ? { jwt } : {}),
      body: { asset_code: s.config.stellar.assetCode, ...body },
    });

  it('guide: Check that deposits are disabled for really small and really large values (S24-09)', async () => {
    const user = await s.walletUser();
    const jwt = await s.token(user);
    for (const [amount, error] of [
      ['0.0000001', /below the minimum of 5/],
      ['4.9999999', /below the minimum of 5/],
      ['5000.0000001', /above the maximum of 5000/],
      ['99999999999', /above the maximum of 5000/],
    ] as const) {
      const r = await start(jwt, { amount });
      expect(r.status, amount).toBe(400);
      expect(r.body.error).toMatch(error);
    }
    // The hosted page refuses the same amounts with the limits spelled out, and keeps the deposit incomplete.
    const ok = await start(jwt, {});
    expect(ok.status).toBe(200);
    const { url, id } = ok.body as { url: string; id: string };
    const opened = await fetch(url);
    const html = await opened.text();
    const form = postForm(html)!;
    for (const typed of ['0.01', '6000']) {
      const posted = await fetch(new URL(form.action, opened.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form.fields, amount: typed }).toString(),
      });
      expect(posted.status, typed).toBe(422);
      expect(await posted.text()).toContain('The amount must be between 5.00 USD and 5,000.00 USD.');
    }
    const tx = await s.call(`/sep24/transaction?id=${id}`, { jwt });
    expect(tx.body.transaction).toMatchObject({ status: 'incomplete', amount_in: null });
    // /info publishes the same limits the endpoint and the page enforce.
    const info = await s.call('/sep24/info');
    expect(
      (info.body.deposit as Record<string, Record<string, unknown>>)[s.config.stellar.assetCode],
    ).toMatchObject({
      enabled: true,
      min_amount: 5,
      max_amount: 5000,
    });
  });

  it('guide: Check that the deposit flow goes through, and that the banking rails are working (S24-12)', async () => {
    const user = await s.walletUser();
    const jwt = await s.token(user);
    const r = await start(jwt, { lang: 'en' });
    expect(r.status).toBe(200);
    const { url, id } = r.body as { url: string; id: string };
    const reference = await completeDepositPages(url, '25.5');
    expect(reference).toMatch(/^DEP[0-9A-F]{10}$/);
    expect((await s.call(`/sep24/transaction?id=${id}`, { jwt })).body.transaction).toMatchObject({
      status: 'pending_user_transfer_start',
    });
    // The user's bank transfer: the sandbox bank books it and tells the anchor by signed webhook.
    await bankTransfer(s.bank.url, reference, '25.5');
    const done = await s.waitForStatus(jwt, id, ['completed', 'error', 'refunded'], 90_000);
    expect(done).toMatchObject({
      status: 'completed',
      amount_in: '25.5',
      amount_fee: '1',
      amount_out: '24.5',
      to: user.publicKey(),
    });
    expect(done.external_transaction_id).toBeTruthy();
    expect(await s.balanceOf(user.publicKey())).toBe('24.5000000');
    const onLedger = await s.horizon.server
      .transactions()
      .transaction(String(done.stellar_transaction_id))
      .call();
    expect(onLedger.successful).toBe(true);
  });

  it('guide: Check that the endpoint returns an error if the JWT token is missing (S24-04)', async () => {
    const missing = await start(undefined, {});
    expect(missing.status).toBe(403);
    expect(missing.body.type).toBe('authentication_required');
    const garbage = await s.call('/sep24/transactions/deposit/interactive', {
      jwt: 'not.a.jwt',
      body: { asset_code: s.config.stellar.assetCode },
    });
    expect(garbage.status).toBe(403);
    expect(garbage.body.type).toBe('authentication_required');
    // Nothing was created for the refused calls.
    const rows = await s.tdb.db
      .selectFrom('transactions')
      .select('id')
      .where('kind', '=', 'deposit')
      .execute();
    const before = rows.length;
    await start(undefined, { amount: '10' });
    expect(
      (await s.tdb.db.selectFrom('transactions').select('id').where('kind', '=', 'deposit').execute()).length,
    ).toBe(before);
  });

  it('guide: Check that all deposit response params conform to protocols (S24-17, S24-27)', async () => {
    const user = await s.walletUser();
    const jwt = await s.token(user);
    const r = await start(jwt, { amount: '10', lang: 'en' });
    expect(r.status).toBe(200);
    const interactive = interactiveResponseSchema.parse(r.body);
    expect(new URL(interactive.url).origin).toBe(s.baseUrl);

    const fresh = await s.call(`/sep24/transaction?id=${interactive.id}`, { jwt });
    expect(fresh.status).toBe(200);
    expect(Object.keys(fresh.body)).toEqual(['transaction']);
    const tx = depositTransactionSchema.parse(fresh.body.transaction);
    expect(tx).toMatchObject({
      id: interactive.id,
      kind: 'deposit',
      status: 'incomplete',
      to: user.publicKey(),
    });
    expect(tx.amount_in_asset).toBe('iso4217:USD');
    expect(tx.amount_out_asset).toBe(
      `stellar:${s.config.stellar.assetCode}:${s.config.stellar.issuerAccount}`,
    );

    // And once completed: every key still conforms, amounts and ids filled in.
    const reference = await completeDepositPages(interactive.url, '10');
    await bankTransfer(s.bank.url, reference, '10');
    const done = depositTransactionSchema.parse(
      await s.waitForStatus(jwt, interactive.id, ['completed', 'error', 'refunded'], 90_000),
    );
    expect(done.status).toBe('completed');
    expect(done.amount_in).toBe('10');
    expect(done.amount_out).toBe('9');
    expect(done.fee_details).toEqual({ total: '1', asset: 'iso4217:USD' });
    expect(done.completed_at).not.toBeNull();
    expect(done.stellar_transaction_id).toMatch(/^[0-9a-f]{64}$/);
    expect(done.user_action_required_by).toBeUndefined();
  });
});

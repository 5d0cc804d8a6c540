import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeDepositPages } from '../e2e/stack/wallet.js';
import { type AnchorStack, bankTransfer, startAnchorStack } from '../helpers/anchor-stack.js';
import { depositTransactionSchema, withdrawTransactionSchema } from './sep24-schemas.js';

/** Operator guide, "Testing Edge Cases" → Transaction(s) Tests, against the real stack (S24-27..S24-32). */
describe('guide: Transaction(s) Tests', () => {
  let s: AnchorStack;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'gtx' });
  });
  afterAll(async () => {
    await s?.close();
  });

  const start = async (jwt: string, kind: 'deposit' | 'withdraw', body: Record<string, unknown> = {}) => {
    const r = await s.call(`/sep24/transactions/${kind}/interactive`, {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, ...body },
    });
    expect(r.status).toBe(200);
    return r.body as { id: string; url: string };
  };

  it('guide: Check that the /transaction endpoint is working for a newly created transaction (S24-28)', async () => {
    const user = await s.walletUser();
    const jwt = await s.token(user);
    const { id } = await start(jwt, 'deposit', { amount: '15' });
    const r = await s.call(`/sep24/transaction?id=${id}`, { jwt });
    expect(r.status).toBe(200);
    const tx = depositTransactionSchema.parse(r.body.transaction);
    expect(tx).toMatchObject({
      id,
      kind: 'deposit',
      status: 'incomplete',
      to: user.publicKey(),
      stellar_transaction_id: null,
      completed_at: null,
    });
    // Unknown id → 404; another user's token never sees it.
    expect((await s.call('/sep24/transaction?id=00000000-0000-0000-0000-000000000000', { jwt })).status).toBe(
      404,
    );
    const other = await s.token(await s.walletUser());
    expect((await s.call(`/sep24/transaction?id=${id}`, { jwt: other })).status).toBe(404);
    // No id, stellar_transaction_id or external_transaction_id → 400.
    const none = await s.call('/sep24/transaction', { jwt });
    expect(none.status).toBe(400);
    expect(none.body.error).toEqual(expect.any(String));
  });

  it('guide: Check that the /transaction endpoint is working for a completed transaction (S24-28)', async () => {
    const user = await s.walletUser();
    const jwt = await s.token(user);
    const { id, url } = await start(jwt, 'deposit');
    await bankTransfer(s.bank.url, await completeDepositPages(url, '30'), '30');
    const done = depositTransactionSchema.parse(
      await s.waitForStatus(jwt, id, ['completed', 'error'], 90_000),
    );
    expect(done).toMatchObject({
      id,
      status: 'completed',
      amount_in: '30',
      amount_out: '30',
      refunded: false,
    });
    expect(done.completed_at).not.toBeNull();
    expect(Date.parse(done.completed_at!)).toBeGreaterThanOrEqual(Date.parse(done.started_at));
    // The same transaction by each of its ids (S24-28).
    const byStellar = await s.call(
      `/sep24/transaction?stellar_transaction_id=${done.stellar_transaction_id}`,
      {
        jwt,
      },
    );
    expect(byStellar.status).toBe(200);
    expect(byStellar.body.transaction).toEqual(done);
    const byExternal = await s.call(
      `/sep24/transaction?external_transaction_id=${encodeURIComponent(String(done.external_transaction_id))}`,
      { jwt },
    );
    expect(byExternal.status).toBe(200);
    expect((byExternal.body.transaction as { id: string }).id).toBe(id);
  });

  it('guide: Check that the /transactions endpoint returns all transactions from a specific user (S24-29)', async () => {
    const user = await s.walletUser({ balance: '100' });
    const jwt = await s.token(user);
    const mine = [
      (await start(jwt, 'deposit')).id,
      (await start(jwt, 'withdraw')).id,
      (await start(jwt, 'deposit', { amount: '20' })).id,
    ];
    const otherJwt = await s.token(await s.walletUser());
    const theirs = (await start(otherJwt, 'deposit')).id;

    const all = await s.call(`/sep24/transactions?asset_code=${s.config.stellar.assetCode}`, { jwt });
    expect(all.status).toBe(200);
    const list = all.body.transactions as Record<string, unknown>[];
    expect(list.map((t) => t.id).sort()).toEqual([...mine].sort());
    expect(list.map((t) => t.id)).not.toContain(theirs);
    for (const t of list)
      (t.kind === 'deposit' ? depositTransactionSchema : withdrawTransactionSchema).parse(t);
    // Newest first (S24-29).
    const started = list.map((t) => Date.parse(String(t.started_at)));
    expect([...started].sort((a, b) => b - a)).toEqual(started);
    // Filters: kind, limit.
    const deposits = await s.call(
      `/sep24/transactions?asset_code=${s.config.stellar.assetCode}&kind=deposit`,
      {
        jwt,
      },
    );
    expect((deposits.body.transactions as { id: string }[]).map((t) => t.id).sort()).toEqual(
      [mine[0], mine[2]].sort(),
    );
    const limited = await s.call(`/sep24/transactions?asset_code=${s.config.stellar.assetCode}&limit=1`, {
      jwt,
    });
    expect(limited.body.transactions).toHaveLength(1);
    // The other user sees only their own.
    const other = await s.call(`/sep24/transactions?asset_code=${s.config.stellar.assetCode}`, {
      jwt: otherJwt,
    });
    expect((other.body.transactions as { id: string }[]).map((t) => t.id)).toEqual([theirs]);
  });
});

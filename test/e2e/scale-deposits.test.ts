import { type Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack, until } from './stack/index.js';
import {
  anchoredAsset,
  assetBalance,
  bankTransfer,
  completeDepositPages,
  formatFixed7,
  fundUsers,
  mapLimit,
  parseAmount,
  sep10Token,
  startInteractive,
  submitOps,
  waitForStatus,
  walletUser,
} from './stack/wallet.js';

/**
 * Issue 9 acceptance: two worker processes and two API processes share one task queue and one database. Fifty
 * concurrent deposits (wallets spread over both APIs) all complete exactly once, and a burst of fifty payments to
 * the receiving account is recorded exactly once each by the payment observer.
 */
const DEPOSITS = 50;
const PAYMENTS = 50;

describe('scale: 2 workers, 2 APIs (issue 9)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ apis: 2, workers: 2, env: { SEP24_DEPOSIT_FEE_FIXED: '0.1' } });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('50 concurrent deposits over both APIs complete exactly once (S24-12, S24-29, issue 9)', async () => {
    const users = await mapLimit(Array.from({ length: DEPOSITS }), 10, () => walletUser(stack));
    // Four places: a typed "5.000" has two readings on an English page (5 or 5,000) and is refused (issue #13).
    const amounts = users.map((_, i) => `${5 + i}.${String(i * 131).padStart(4, '0')}`);

    const results = await Promise.all(
      users.map(async (user, i) => {
        const api = stack.apiUrls[i % stack.apiUrls.length]!;
        const jwt = await sep10Token(stack, api, user);
        const { id, url } = await startInteractive(api, jwt, 'deposit', stack.config.stellar.assetCode);
        const reference = await completeDepositPages(url, amounts[i]!);
        await bankTransfer(stack, reference, amounts[i]!);
        const tx = await waitForStatus(api, jwt, id, ['completed', 'error', 'refunded'], 300_000);
        return { user, tx };
      }),
    );

    let expected = 0n;
    let received = 0n;
    for (const [i, r] of results.entries()) {
      expect(r.tx.status, `deposit ${i}`).toBe('completed');
      expect(r.tx.stellar_transaction_id).toMatch(/^[0-9a-f]{64}$/);
      const out = parseAmount(String(r.tx.amount_out));
      expect(out).toBe(parseAmount(amounts[i]!) - parseAmount('0.1'));
      const balance = await assetBalance(stack, r.user.publicKey());
      expect(formatFixed7(balance), `user ${i}`).toBe(formatFixed7(out));
      const payments = await stack.horizon.payments().forAccount(r.user.publicKey()).limit(200).call();
      const credits = payments.records.filter(
        (p) => p.type === 'payment' && 'to' in p && p.to === r.user.publicKey(),
      );
      expect(credits, `user ${i}: one credit`).toHaveLength(1);
      expected += out;
      received += balance;
    }
    expect(formatFixed7(received)).toBe(formatFixed7(expected));
    const rows = await stack.db
      .selectFrom('transactions')
      .select('status')
      .where('kind', '=', 'deposit')
      .execute();
    expect(rows).toHaveLength(DEPOSITS);
    expect(rows.every((r) => r.status === 'completed')).toBe(true);
    // Both worker processes took part: the identities (pid@host) that started the deposits' activities.
    const identities = new Set<string>();
    for (const r of results) {
      const history = await stack.temporal.workflow.getHandle(`deposit-${r.tx.id}`).fetchHistory();
      for (const e of history.events ?? []) {
        const who = e.activityTaskStartedEventAttributes?.identity;
        if (who) identities.add(who);
      }
    }
    expect(identities.size, [...identities].join(', ')).toBe(2);
  }, 420_000);

  it('a burst of 50 payments to the receiving account: each recorded once in received_payments (issue 9)', async () => {
    const payers: Keypair[] = await mapLimit(Array.from({ length: 5 }), 5, () => walletUser(stack));
    await fundUsers(stack, payers, '100');
    const receiving = stack.config.payments.receivingAccounts[0]!;
    // Five transactions of ten payments each, submitted at once: fifty operations over one or two ledgers.
    const hashes = await Promise.all(
      payers.map(async (payer, p) => {
        const ops = Array.from({ length: PAYMENTS / payers.length }, (_, k) =>
          Operation.payment({ destination: receiving, asset: anchoredAsset(stack), amount: `1.${p}${k}` }),
        );
        return (await submitOps(stack, payer, ops, Memo.text(`scale burst ${p}`))).hash;
      }),
    );
    const recorded = await until(
      async () => {
        const rows = await stack.db
          .selectFrom('received_payments')
          .select(['operation_id', 'transaction_hash', 'amount'])
          .where('transaction_hash', 'in', hashes)
          .execute();
        return rows.length >= PAYMENTS ? rows : undefined;
      },
      120_000,
      'the observer to record the 50 payments',
    );
    expect(recorded).toHaveLength(PAYMENTS);
    expect(new Set(recorded.map((r) => r.operation_id)).size).toBe(PAYMENTS);
    // Every operation on the ledger, each once.
    for (const hash of hashes) {
      const ops = await stack.horizon.operations().forTransaction(hash).limit(200).call();
      const ids = ops.records.map((o) => o.id).sort();
      expect(
        recorded
          .filter((r) => r.transaction_hash === hash)
          .map((r) => r.operation_id)
          .sort(),
      ).toEqual(ids);
    }
    const total = recorded.reduce((acc, r) => acc + parseAmount(String(r.amount)), 0n);
    expect(total).toBe(sumBurst());
  }, 240_000);
});

function sumBurst(): bigint {
  let total = 0n;
  for (let p = 0; p < 5; p++) for (let k = 0; k < PAYMENTS / 5; k++) total += parseAmount(`1.${p}${k}`);
  return total;
}

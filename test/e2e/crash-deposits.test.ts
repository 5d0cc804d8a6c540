import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAtProgress } from './stack/chaos.js';
import { type Stack, startStack, until } from './stack/index.js';
import {
  assetBalance,
  bankTransfer,
  completeDepositPages,
  formatFixed7,
  getTransaction,
  mapLimit,
  parseAmount,
  pickTargets,
  seededRandom,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from './stack/wallet.js';

/**
 * Issue 7 acceptance: the worker process is SIGKILLed at random points (seeded; the seed is logged and can be
 * replayed with CRASH_SEED) while 20 SEP-24 deposits run through the real stack as separate processes, and
 * restarted each time. Every deposit completes exactly once, and the sandbox ledger proves it.
 */
const DEPOSITS = 20;
const KILLS = 5;

describe('crash: worker SIGKILLed during 20 deposits (issue 7)', () => {
  let stack: Stack;
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seededRandom(seed);

  beforeAll(async () => {
    console.log(`[crash-deposits] seed ${seed} (replay with CRASH_SEED=${seed})`);
    stack = await startStack({
      workers: 1,
      env: { SEP24_DEPOSIT_FEE_FIXED: '0.25', SEP24_DEPOSIT_FEE_PERCENT: '1' },
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('every deposit completes exactly once: one payment per user, balances equal amount_out (S24-12, S24-29, issue 7)', async () => {
    const users = [];
    for (let i = 0; i < DEPOSITS; i += 5) {
      users.push(
        ...(await Promise.all(Array.from({ length: Math.min(5, DEPOSITS - i) }, () => walletUser(stack)))),
      );
    }
    // Distinct amounts with up to 7 decimals; fees 0.25 + 1 %.
    const amounts = users.map((_, i) => `${10 + i}.${String(1 + ((i * 7919) % 9_999_999)).padStart(7, '0')}`);

    // Four deposits at a time, so the run is long enough for the kills to land among live deposits.
    let transfersSent = 0;
    const flows = mapLimit(users, 4, async (user, i) => {
      const jwt = await sep10Token(stack, stack.publicUrl, user);
      const { id, url } = await startInteractive(
        stack.publicUrl,
        jwt,
        'deposit',
        stack.config.stellar.assetCode,
      );
      const reference = await completeDepositPages(url, amounts[i]!);
      await bankTransfer(stack, reference, amounts[i]!);
      transfersSent++;
      const tx = await waitForStatus(stack.publicUrl, jwt, id, ['completed', 'error', 'refunded'], 300_000);
      return { user, jwt, id, tx };
    });
    // The killer: after seeded random bank transfers (plus a seeded random delay), while payments are in flight.
    await killAtProgress({
      stack,
      label: 'crash-deposits',
      random,
      // Not among the last transfers: a payment cut off by a kill waits out its 2-minute start-to-close timeout.
      targets: pickTargets(random, KILLS, DEPOSITS - 6),
      progress: () => transfersSent,
    });
    const opened = await flows;
    const done = opened.map((o) => o.tx);
    for (const tx of done) expect(tx.status).toBe('completed');

    let expected = 0n;
    let received = 0n;
    for (const [i, o] of opened.entries()) {
      const tx = await getTransaction(stack.publicUrl, o.jwt, o.id);
      expect(parseAmount(String(tx.amount_in))).toBe(parseAmount(amounts[i]!));
      expect(tx.stellar_transaction_id).toMatch(/^[0-9a-f]{64}$/);
      const out = parseAmount(String(tx.amount_out));
      expected += out;
      const balance = await assetBalance(stack, o.user.publicKey());
      received += balance;
      expect(formatFixed7(balance), `user ${i} balance`).toBe(formatFixed7(out));
      // Exactly one credit of the asset reached this user on the ledger, in the transaction the anchor reports.
      const payments = await stack.horizon.payments().forAccount(o.user.publicKey()).limit(200).call();
      const credits = payments.records.filter(
        (p) =>
          p.type === 'payment' &&
          'to' in p &&
          p.to === o.user.publicKey() &&
          p.asset_code === stack.config.stellar.assetCode,
      );
      expect(credits).toHaveLength(1);
      expect(credits[0]!.transaction_hash).toBe(tx.stellar_transaction_id);
    }
    expect(formatFixed7(received)).toBe(formatFixed7(expected));
    // Nothing is still waiting to be paid in the anchor's own records.
    const open = await until(
      async () => {
        const rows = await stack.db
          .selectFrom('transactions')
          .select(['id', 'status'])
          .where('kind', '=', 'deposit')
          .execute();
        return rows.length === DEPOSITS ? rows : undefined;
      },
      10_000,
      'the deposit rows',
    );
    expect(open.every((r) => r.status === 'completed')).toBe(true);
  }, 420_000);
});

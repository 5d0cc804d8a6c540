import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAtProgress } from './stack/chaos.js';
import { type Stack, startStack, until } from './stack/index.js';
import {
  assetBalance,
  completeWithdrawPages,
  formatFixed7,
  fundUsers,
  getTransaction,
  mapLimit,
  parseAmount,
  payWithdrawal,
  pickTargets,
  seededRandom,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from './stack/wallet.js';

/**
 * Issue 8 acceptance: the worker process is SIGKILLed at random points (seeded, logged; replay with CRASH_SEED)
 * while 20 SEP-24 withdrawals run through the real stack; some are above the approval threshold and an operator
 * approves or rejects them through the admin API. Every withdrawal ends in exactly one bank payout or exactly one
 * refund on the ledger, never both, never two.
 */
const WITHDRAWALS = 20;
const KILLS = 5;
const START_BALANCE = '200';
const ADMIN_KEY = randomBytes(24).toString('hex');

type Plan = { amount: string; review: 'none' | 'approve' | 'reject' };
const plans: Plan[] = Array.from({ length: WITHDRAWALS }, (_, i) => {
  if (i % 3 !== 0) return { amount: `${10 + i}.5`, review: 'none' };
  return { amount: `${60 + i}.25`, review: i % 2 === 0 ? 'approve' : 'reject' };
});

describe('crash: worker SIGKILLed during 20 withdrawals (issue 8)', () => {
  let stack: Stack;
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seededRandom(seed);

  beforeAll(async () => {
    console.log(`[crash-withdrawals] seed ${seed} (replay with CRASH_SEED=${seed})`);
    stack = await startStack({
      workers: 1,
      env: {
        WITHDRAW_APPROVAL_THRESHOLD: '50',
        SEP24_WITHDRAW_FEE_FIXED: '0.5',
        ADMIN_API_KEYS: `ops:transactions:read,transactions:write:${createHash('sha256').update(ADMIN_KEY).digest('hex')}`,
      },
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  /** The operator decides through the admin API once the withdrawal is under review (approval_reasons set). */
  async function decide(id: string, decision: 'approve' | 'reject') {
    await until(
      async () => {
        const row = await stack.db
          .selectFrom('withdrawal_details')
          .select('approval_reasons')
          .where('transaction_id', '=', id)
          .executeTakeFirst();
        return row?.approval_reasons ? true : undefined;
      },
      240_000,
      `withdrawal ${id} to be under review`,
    );
    // Re-sent until the workflow acts on it: a signal the workflow already took is ignored (first one wins), and
    // once it has moved on the status says so before another is sent.
    await until(
      async () => {
        const tx = await stack.db
          .selectFrom('transactions')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        if (tx.status !== 'pending_anchor') return true;
        const res = await fetch(`${stack.publicUrl}/admin/withdrawals/${id}/decision`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ decision, reason: 'crash test' }),
        });
        if (res.status !== 202) throw new Error(`decision: ${res.status} ${await res.text()}`);
        return undefined;
      },
      240_000,
      `the ${decision} of ${id} to take effect`,
    );
  }

  it('every withdrawal ends in exactly one payout or one refund, never both (S24-14, S24-22, S24-33, issue 8)', async () => {
    const users = [];
    for (let i = 0; i < WITHDRAWALS; i += 5) {
      users.push(
        ...(await Promise.all(Array.from({ length: Math.min(5, WITHDRAWALS - i) }, () => walletUser(stack)))),
      );
    }
    await fundUsers(stack, users, START_BALANCE);

    // Four withdrawals at a time, so the run is long enough for the kills to land among live withdrawals.
    let paid = 0;
    const flows = mapLimit(users, 4, async (user, i) => {
      const plan = plans[i]!;
      const jwt = await sep10Token(stack, stack.publicUrl, user);
      const { id, url } = await startInteractive(
        stack.publicUrl,
        jwt,
        'withdraw',
        stack.config.stellar.assetCode,
      );
      await completeWithdrawPages(url, plan.amount);
      const ready = await waitForStatus(stack.publicUrl, jwt, id, ['pending_user_transfer_start'], 240_000);
      const paymentHash = await payWithdrawal(stack, user, ready);
      paid++;
      if (plan.review !== 'none') await decide(id, plan.review);
      const final = await waitForStatus(
        stack.publicUrl,
        jwt,
        id,
        ['completed', 'refunded', 'error'],
        300_000,
      );
      return { user, jwt, id, paymentHash, final };
    });
    // The killer: after seeded random Stellar payments (plus a seeded random delay): observer, approval, payout
    // and refund activities are in flight.
    await killAtProgress({
      stack,
      label: 'crash-withdrawals',
      random,
      targets: pickTargets(random, KILLS, WITHDRAWALS - 6),
      progress: () => paid,
    });
    const results = await flows;

    const payouts = await stack.query<{ idempotency_key: string; amount: string; status: string }>(
      'select idempotency_key, amount::text as amount, status from sandbox_bank.payouts',
    );
    const distribution = stack.config.stellar.distributionAccount;
    for (const [i, r] of results.entries()) {
      const plan = plans[i]!;
      const tx = await getTransaction(stack.publicUrl, r.jwt, r.id);
      const mine = payouts.filter((p) => p.idempotency_key === `payout-${r.id}`);
      const ledger = await stack.horizon.payments().forAccount(r.user.publicKey()).limit(200).call();
      const refunds = ledger.records.filter(
        (p) => p.type === 'payment' && 'from' in p && p.from === distribution && p.to === r.user.publicKey(),
      );
      const balance = await assetBalance(stack, r.user.publicKey());
      expect(tx.stellar_transaction_id).toBe(r.paymentHash);
      if (plan.review === 'reject') {
        expect(tx.status, `withdrawal ${i}`).toBe('refunded');
        expect(mine, `withdrawal ${i}: no payout`).toHaveLength(0);
        expect(refunds, `withdrawal ${i}: one refund`).toHaveLength(1);
        expect(parseAmount(refunds[0]!.type === 'payment' ? refunds[0]!.amount : '0')).toBe(
          parseAmount(plan.amount),
        );
        expect(formatFixed7(balance)).toBe(formatFixed7(parseAmount(START_BALANCE)));
      } else {
        expect(tx.status, `withdrawal ${i}`).toBe('completed');
        expect(mine, `withdrawal ${i}: one payout`).toHaveLength(1);
        expect(mine[0]!.status).toBe('completed');
        expect(parseAmount(mine[0]!.amount)).toBe(parseAmount(String(tx.amount_out)));
        expect(parseAmount(String(tx.amount_out))).toBe(parseAmount(plan.amount) - parseAmount('0.5'));
        expect(refunds, `withdrawal ${i}: no refund`).toHaveLength(0);
        expect(formatFixed7(balance)).toBe(
          formatFixed7(parseAmount(START_BALANCE) - parseAmount(plan.amount)),
        );
      }
    }
    // No payout belongs to anything but these withdrawals, and none is doubled.
    expect(payouts).toHaveLength(plans.filter((p) => p.review !== 'reject').length);
  }, 480_000);
});

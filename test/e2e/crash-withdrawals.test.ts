import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAtProgress } from './stack/chaos.js';
import { type Stack, startStack } from './stack/index.js';
import {
  anchoredAssetId,
  assetBalance,
  completeWithdrawPages,
  decideWithdrawal,
  type FirmQuote,
  type Front,
  firmQuote,
  formatFixed7,
  fundUsers,
  getTransaction,
  mapLimit,
  parseAmount,
  payWithdrawal,
  pickTargets,
  seededRandom,
  sep6Get,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from './stack/wallet.js';

/**
 * Issue 8 acceptance: the worker process is SIGKILLed at random points (seeded, logged; replay with CRASH_SEED)
 * while 20 withdrawals run through the real stack: 17 SEP-24 and 3 SEP-6 withdraw-exchange with a firm SEP-38
 * quote (USDC → BRL, issue 14); some are above the approval threshold and an operator approves or rejects them
 * through the admin API. Every withdrawal ends in exactly one bank payout (in its currency) or exactly one refund
 * on the ledger, never both, never two.
 */
const WITHDRAWALS = 20;
const KILLS = 5;
const START_BALANCE = '200';
const ADMIN_KEY = randomBytes(24).toString('hex');
const BRL_ACCOUNT = 'BR1800360305000010009795493C1';

type Plan = { amount: string; review: 'none' | 'approve' | 'reject'; exchange: boolean };
/** The exchange withdrawals: one paid out as is, one approved, one rejected (refunded in USDC). */
const EXCHANGES = new Set([4, 6, 9]);
const plans: Plan[] = Array.from({ length: WITHDRAWALS }, (_, i) => {
  const exchange = EXCHANGES.has(i);
  if (i % 3 !== 0) return { amount: `${10 + i}.5`, review: 'none', exchange };
  return { amount: `${60 + i}.25`, review: i % 2 === 0 ? 'approve' : 'reject', exchange };
});

describe('crash: worker SIGKILLed during 20 withdrawals (issues 8, 14)', () => {
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
        SEP38_ENABLED: 'true',
        SEP38_MID_RATES: 'iso4217:USD=1,iso4217:BRL=5.4',
        SEP38_SPREAD_PERCENT: '1',
        // The quote holds for a payment whose ledger closed before it expired; a payment waits for the
        // withdrawal's pending_user_transfer_start, which a kill can delay: an hour is beyond any run.
        SEP38_QUOTE_TTL_SECONDS: '3600',
        ADMIN_API_KEYS: `ops:transactions:read,transactions:write:${createHash('sha256').update(ADMIN_KEY).digest('hex')}`,
      },
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  /** The operator decides through the admin API once the withdrawal is under review (approval_reasons set). */
  const decide = (id: string, decision: 'approve' | 'reject') =>
    decideWithdrawal(stack, ADMIN_KEY, id, decision, { reason: 'crash test', timeoutMs: 240_000 });

  /** S6-08: a firm quote for the USDC, then the withdraw-exchange with `dest` in the query (no PATCH needed). */
  async function startExchangeWithdrawal(jwt: string, amount: string) {
    const quote = await firmQuote(stack.publicUrl, jwt, {
      sell_asset: anchoredAssetId(stack),
      buy_asset: 'iso4217:BRL',
      sell_amount: amount,
      context: 'sep6',
    });
    const body = await sep6Get(stack.publicUrl, jwt, '/withdraw-exchange', {
      source_asset: stack.config.stellar.assetCode,
      destination_asset: 'iso4217:BRL',
      amount,
      quote_id: quote.id,
      funding_method: 'bank_transfer',
      dest: BRL_ACCOUNT,
    });
    return { id: body.id, quote };
  }

  it('every withdrawal, SEP-24 and SEP-6 withdraw-exchange, ends in exactly one payout or one refund, never both (S24-14, S24-22, S24-33, S6-08, S6-09, issues 8, 14)', async () => {
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
      let id: string;
      let quote: FirmQuote | undefined;
      if (plan.exchange) {
        ({ id, quote } = await startExchangeWithdrawal(jwt, plan.amount));
      } else {
        const started = await startInteractive(
          stack.publicUrl,
          jwt,
          'withdraw',
          stack.config.stellar.assetCode,
        );
        id = started.id;
        await completeWithdrawPages(started.url, plan.amount);
      }
      const front: Front = plan.exchange ? 'sep6' : 'sep24';
      const ready = await waitForStatus(
        stack.publicUrl,
        jwt,
        id,
        ['pending_user_transfer_start'],
        240_000,
        front,
      );
      const paymentHash = await payWithdrawal(stack, user, ready);
      paid++;
      if (plan.review !== 'none') await decide(id, plan.review);
      const final = await waitForStatus(
        stack.publicUrl,
        jwt,
        id,
        ['completed', 'refunded', 'error'],
        300_000,
        front,
      );
      return { user, jwt, id, front, quote, paymentHash, final };
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

    const payouts = await stack.query<{
      idempotency_key: string;
      amount: string;
      currency: string;
      status: string;
    }>('select idempotency_key, amount::text as amount, currency, status from sandbox_bank.payouts');
    const distribution = stack.config.stellar.distributionAccount;
    for (const [i, r] of results.entries()) {
      const plan = plans[i]!;
      const tx = await getTransaction(stack.publicUrl, r.jwt, r.id, r.front);
      const mine = payouts.filter((p) => p.idempotency_key === `payout-${r.id}`);
      const ledger = await stack.horizon.payments().forAccount(r.user.publicKey()).limit(200).call();
      const refunds = ledger.records.filter(
        (p) => p.type === 'payment' && 'from' in p && p.from === distribution && p.to === r.user.publicKey(),
      );
      const balance = await assetBalance(stack, r.user.publicKey());
      expect(tx.stellar_transaction_id).toBe(r.paymentHash);
      if (r.quote) {
        // S6-09: the quote's amounts and fee (amount_out below: a refunded one pays nothing out).
        expect(tx, `withdrawal ${i}`).toMatchObject({
          kind: 'withdrawal-exchange',
          quote_id: r.quote.id,
          amount_in_asset: anchoredAssetId(stack),
          amount_out_asset: 'iso4217:BRL',
        });
        expect(parseAmount(String(tx.amount_in))).toBe(parseAmount(r.quote.sell_amount));
      }
      if (plan.review === 'reject') {
        expect(tx.status, `withdrawal ${i}`).toBe('refunded');
        expect(parseAmount(String(tx.amount_out)), `withdrawal ${i}: nothing paid out`).toBe(0n);
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
        if (r.quote) {
          // The quoted BRL, paid out once by the bank in BRL; the SEP-24 fee schedule plays no part.
          expect(parseAmount(String(tx.amount_out))).toBe(parseAmount(r.quote.buy_amount));
          expect(tx.fee_details, `withdrawal ${i}`).toEqual(r.quote.fee);
          expect(mine[0]!.currency, `withdrawal ${i}`).toBe('BRL');
          expect(parseAmount(mine[0]!.amount)).toBe(parseAmount(r.quote.buy_amount));
        } else {
          expect(mine[0]!.currency, `withdrawal ${i}`).toBe(stack.config.bank.currency);
          expect(parseAmount(String(tx.amount_out))).toBe(parseAmount(plan.amount) - parseAmount('0.5'));
        }
        expect(refunds, `withdrawal ${i}: no refund`).toHaveLength(0);
        expect(formatFixed7(balance)).toBe(
          formatFixed7(parseAmount(START_BALANCE) - parseAmount(plan.amount)),
        );
      }
    }
    // No payout belongs to anything but these withdrawals, and none is doubled.
    expect(payouts).toHaveLength(plans.filter((p) => p.review !== 'reject').length);
    expect(payouts.filter((p) => p.currency === 'BRL')).toHaveLength(
      plans.filter((p) => p.exchange && p.review !== 'reject').length,
    );
  }, 480_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAtProgress } from './stack/chaos.js';
import { type Stack, startStack, until } from './stack/index.js';
import {
  anchoredAssetId,
  assetBalance,
  bankTransfer,
  completeDepositPages,
  type FirmQuote,
  type Front,
  firmQuote,
  formatFixed7,
  getTransaction,
  mapLimit,
  parseAmount,
  pickTargets,
  seededRandom,
  sep6DepositReference,
  sep6Get,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from './stack/wallet.js';

/**
 * Issue 7 acceptance: the worker process is SIGKILLed at random points (seeded; the seed is logged and can be
 * replayed with CRASH_SEED) while 20 deposits (10 SEP-24, 5 SEP-6, 5 SEP-6 deposit-exchange with a firm SEP-38
 * quote, BRL → USDC, issue 14) run through the real stack as separate processes, and restarted each time. Every
 * deposit completes exactly once, and the sandbox ledger proves it.
 */
const DEPOSITS = 20;
const KILLS = 5;

type Route = 'sep24' | 'sep6' | 'sep6-exchange';
const routeOf = (i: number): Route => (i % 4 === 3 ? 'sep6' : i % 4 === 1 ? 'sep6-exchange' : 'sep24');

describe('crash: worker SIGKILLed during 20 deposits (issues 7, 14)', () => {
  let stack: Stack;
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seededRandom(seed);

  beforeAll(async () => {
    console.log(`[crash-deposits] seed ${seed} (replay with CRASH_SEED=${seed})`);
    stack = await startStack({
      workers: 1,
      env: {
        SEP24_DEPOSIT_FEE_FIXED: '0.25',
        SEP24_DEPOSIT_FEE_PERCENT: '1',
        SEP38_ENABLED: 'true',
        SEP38_MID_RATES: 'iso4217:USD=1,iso4217:BRL=5.4',
        SEP38_SPREAD_PERCENT: '1',
        // A quote must outlive its deposit's start and bank transfer (the bank's receivedAt is what counts), which
        // the kills do not delay; an hour leaves a slow, shared machine no way to expire one mid-run.
        SEP38_QUOTE_TTL_SECONDS: '3600',
      },
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('every deposit, SEP-24, SEP-6 and SEP-6 deposit-exchange, completes exactly once: one payment per user, balances equal amount_out, the quote’s amounts and fee (S24-12, S24-29, S6-05, S6-08, S6-09, issues 7, 14)', async () => {
    const users = [];
    for (let i = 0; i < DEPOSITS; i += 5) {
      users.push(
        ...(await Promise.all(Array.from({ length: Math.min(5, DEPOSITS - i) }, () => walletUser(stack)))),
      );
    }
    // Distinct amounts with up to 7 decimals; fees 0.25 + 1 %. The exchange deposits send BRL (2 decimals), sums
    // whose USDC at 5.4 less the 1 % spread is rounded down to the stroop.
    const amounts = users.map((_, i) =>
      routeOf(i) === 'sep6-exchange'
        ? `${100 + 7 * i}.${String((i * 37) % 100).padStart(2, '0')}`
        : `${10 + i}.${String(1 + ((i * 7919) % 9_999_999)).padStart(7, '0')}`,
    );

    async function startSep24Deposit(jwt: string, amount: string) {
      const { id, url } = await startInteractive(
        stack.publicUrl,
        jwt,
        'deposit',
        stack.config.stellar.assetCode,
      );
      return { id, reference: await completeDepositPages(url, amount) };
    }
    async function startSep6Deposit(jwt: string, account: string, amount: string) {
      const body = await sep6Get(stack.publicUrl, jwt, '/deposit', {
        asset_code: stack.config.stellar.assetCode,
        account,
        funding_method: 'bank_transfer',
        amount,
      });
      return { id: body.id, reference: sep6DepositReference(body) };
    }
    // S6-08: a firm quote for the BRL, made with the user's JWT, then the deposit-exchange that honours it.
    async function startExchangeDeposit(jwt: string, account: string, brl: string) {
      const quote = await firmQuote(stack.publicUrl, jwt, {
        sell_asset: 'iso4217:BRL',
        buy_asset: anchoredAssetId(stack),
        sell_amount: brl,
        context: 'sep6',
      });
      const body = await sep6Get(stack.publicUrl, jwt, '/deposit-exchange', {
        destination_asset: stack.config.stellar.assetCode,
        source_asset: 'iso4217:BRL',
        amount: brl,
        quote_id: quote.id,
        account,
        funding_method: 'bank_transfer',
      });
      return { id: body.id, reference: sep6DepositReference(body), quote };
    }

    // Four deposits at a time, so the run is long enough for the kills to land among live deposits.
    let transfersSent = 0;
    const flows = mapLimit(users, 4, async (user, i) => {
      const jwt = await sep10Token(stack, stack.publicUrl, user);
      // Every fourth deposit comes through SEP-6 (S6-04, S6-05), and every fourth through SEP-6 deposit-exchange
      // (S6-08): the same DepositWorkflow, started by signal-with-start, the reference in the answer's
      // instructions instead of on the hosted page; the exchange one is paid in BRL, exactly the quote's
      // sell_amount.
      const route = routeOf(i);
      const front: Front = route === 'sep24' ? 'sep24' : 'sep6';
      let quote: FirmQuote | undefined;
      let started: { id: string; reference: string };
      if (route === 'sep6-exchange') {
        const ex = await startExchangeDeposit(jwt, user.publicKey(), amounts[i]!);
        quote = ex.quote;
        started = ex;
      } else if (route === 'sep6') {
        started = await startSep6Deposit(jwt, user.publicKey(), amounts[i]!);
      } else {
        started = await startSep24Deposit(jwt, amounts[i]!);
      }
      const { id, reference } = started;
      await bankTransfer(stack, reference, quote?.sell_amount ?? amounts[i]!, quote ? 'BRL' : 'USD');
      transfersSent++;
      const tx = await waitForStatus(
        stack.publicUrl,
        jwt,
        id,
        ['completed', 'error', 'refunded'],
        300_000,
        front,
      );
      return { user, jwt, id, front, quote, tx };
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
    for (const [i, o] of opened.entries())
      expect(o.tx.status, `deposit ${i} (${routeOf(i)})`).toBe('completed');
    expect(opened.filter((o) => o.quote)).toHaveLength(DEPOSITS / 4);

    let expected = 0n;
    let received = 0n;
    for (const [i, o] of opened.entries()) {
      const tx = await getTransaction(stack.publicUrl, o.jwt, o.id, o.front);
      expect(parseAmount(String(tx.amount_in))).toBe(parseAmount(amounts[i]!));
      expect(tx.stellar_transaction_id).toMatch(/^[0-9a-f]{64}$/);
      if (o.quote) {
        // S6-09: the quote's amounts and fee, not the SEP-24 fee schedule, and USDC at the quoted price.
        expect(tx, `exchange deposit ${i}`).toMatchObject({
          kind: 'deposit-exchange',
          quote_id: o.quote.id,
          amount_in_asset: 'iso4217:BRL',
          amount_out_asset: anchoredAssetId(stack),
        });
        expect(parseAmount(String(tx.amount_in))).toBe(parseAmount(o.quote.sell_amount));
        expect(parseAmount(String(tx.amount_out))).toBe(parseAmount(o.quote.buy_amount));
        expect(parseAmount(String(tx.amount_fee))).toBe(parseAmount(o.quote.fee.total));
        expect(tx.fee_details).toEqual(o.quote.fee);
      }
      const out = parseAmount(String(tx.amount_out));
      expected += out;
      const balance = await assetBalance(stack, o.user.publicKey());
      received += balance;
      expect(formatFixed7(balance), `user ${i} balance`).toBe(formatFixed7(out));
      if (o.quote) expect(formatFixed7(balance)).toBe(formatFixed7(parseAmount(o.quote.buy_amount)));
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

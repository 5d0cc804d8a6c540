/**
 * Withdrawal latency (issue 16 item 4): from the user's Stellar payment (its transaction in a closed ledger) to
 * GET /transaction `completed`, on the in-process anchor (test/helpers/anchor-stack.ts) with the sandbox bank as it
 * runs in the sandbox (payouts settle after SETTLE_MS, then their signed `payout.updated` webhook leaves at once).
 * The baseline is the target itself: 2 ledger closes plus the bank's own settlement time. WITHDRAW_BENCH_COUNT (6)
 * withdrawals, one after another; the payout poll is left at its default, so the webhook is what completes them.
 */
import { Asset, Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import { completeWithdrawPages } from '../e2e/stack/wallet.js';
import { startAnchorStack } from '../helpers/anchor-stack.js';
import { median, spread } from './stats.js';
import type { BenchResult } from './types.js';

const COUNT = Math.max(1, Number(process.env.WITHDRAW_BENCH_COUNT ?? 6));
const SETTLE_MS = 2000;
const LEDGER_CLOSE_MS = 200; // test/helpers/horizon.ts

export async function benchWithdrawals(): Promise<BenchResult> {
  const stack = await startAnchorStack({
    prefix: 'benchwd',
    env: { DISTRIBUTION_SECRET: Keypair.random().secret(), OBSERVER_POLL_INTERVAL_MS: '200' },
    observers: true,
    bank: { payoutSettleMs: SETTLE_MS, deliveryIntervalMs: 500 },
  });
  try {
    const { config } = stack;
    const asset = new Asset(config.stellar.assetCode, config.stellar.issuerAccount);
    const latencies: number[] = [];
    for (let i = 0; i < COUNT; i++) {
      const user = await stack.walletUser({ balance: '100' });
      const jwt = await stack.token(user);
      const started = await stack.call('/sep24/transactions/withdraw/interactive', {
        jwt,
        body: { asset_code: config.stellar.assetCode },
      });
      const { id, url } = started.body as { id: string; url: string };
      await completeWithdrawPages(url, `${10 + i}.5`);
      const ready = (await stack.waitForStatus(jwt, id, ['pending_user_transfer_start'])) as Record<
        string,
        string
      >;
      await stack.submit(
        user,
        [Operation.payment({ destination: ready.withdraw_anchor_account!, asset, amount: ready.amount_in! })],
        Memo.id(ready.withdraw_memo!),
      );
      const paidAt = Date.now();
      let status = '';
      while (Date.now() - paidAt < 120_000) {
        const r = await stack.call(`/sep24/transaction?id=${id}`, { jwt });
        status = String((r.body.transaction as { status?: string } | undefined)?.status);
        if (['completed', 'error', 'refunded'].includes(status)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (status !== 'completed') throw new Error(`withdrawal ${id} ended ${status}`);
      latencies.push((Date.now() - paidAt) / 1000);
    }
    const target = (2 * LEDGER_CLOSE_MS + SETTLE_MS) / 1000;
    const figure = median(latencies);
    const poll = config.withdraw.payoutPollSeconds;
    return {
      name: `SEP-24 withdrawal: Stellar payment in a ledger → completed, ${COUNT} withdrawals`,
      figure,
      unit: 's',
      baseline: target,
      baselineName: `2 ledgers of ${LEDGER_CLOSE_MS} ms + the bank's ${SETTLE_MS} ms settlement`,
      ratio: figure / target,
      target: '≤ 2 ledgers + bank latency (issue 16)',
      notes:
        `lower is better; ratio = ours ÷ target. ${figure <= target ? 'Target met' : 'Target NOT met'}: beyond the ` +
        `bank's settlement it takes ${(figure - SETTLE_MS / 1000).toFixed(2)} s = ` +
        `${((figure * 1000 - SETTLE_MS) / LEDGER_CLOSE_MS).toFixed(1)} of this sandbox's ${LEDGER_CLOSE_MS} ms ledgers ` +
        `(${((figure * 1000 - SETTLE_MS) / 5000).toFixed(2)} of a 5 s network ledger). ` +
        `Runs ${latencies.map((l) => l.toFixed(2)).join(', ')} s (spread ${spread(latencies)}). The bank's payout.updated ` +
        `webhook signals the workflow; the poll (WITHDRAW_PAYOUT_POLL_SECONDS default ${poll} s) is only the fallback, ` +
        "where the 30 s poll used to be 30 of a wallet's 39 seconds. The rest is the observer's 200 ms poll, the payout " +
        'call and the status mirroring.',
    };
  } finally {
    await stack.close();
  }
}

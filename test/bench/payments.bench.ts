/**
 * Sustained payments per ledger the anchor sends from the distribution account, against a sandbox ledger that
 * closes every 500 ms and admits at most 1,000 operations per ledger (the network's classic cap).
 *
 * Baseline (naive): one transaction per payment, from the distribution account alone, one after the other:
 * the account's sequence number serializes them, so about one payment per ledger.
 * Ours: `sendPaymentBatch` (activities/stellar.ts): up to 100 payment operations per transaction, on channel
 * accounts (each its own sequence number) leased in Postgres, the distribution account paying as operation source;
 * every batch envelope and each payment's ref → batch stored before submission (idempotent like sendPayment).
 *
 * Each run sends PAYMENTS_BENCH_LEDGERS (22) ledgers' worth at the cap (22 × 1,000 payments) on
 * PAYMENTS_BENCH_CHANNELS (12) channels; the figure is the steady state, the payments of every ledger the run
 * spanned but its first and last (ramp-up, tail) ÷ those ledgers, at least 20. Naive, channels-only and batched runs alternate
 * PAYMENTS_BENCH_ROUNDS (3) times. Every payment of every run is verified on its own: each run pays fresh
 * recipients, each payment a distinct amount; each recipient's balance must equal exactly what was sent to it, and
 * each payment must appear exactly once among its recipient's payment operations, in the transaction that its
 * batch reported (a duplicate and a missing payment cannot cancel out).
 */
import { Asset, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { createStellarActivities, MAX_OPS_PER_TX } from '../../activities/stellar.js';
import type { AppConfig } from '../../config/index.js';
import { createDb, type Db } from '../../db/index.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { anchorAsset } from '../../stellar/assets.js';
import { formatFixed7, parseAmount } from '../../stellar/money.js';
import { installNativeEd25519 } from '../../stellar/native-ed25519.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb } from '../helpers/db.js';
import { startSandboxHorizon } from '../helpers/horizon.js';
import { median, spread } from './stats.js';
import type { BenchResult } from './types.js';

const LEDGER_CLOSE_MS = 500;
const MAX_OPS_PER_LEDGER = 1000;
// Two channels more than the cap needs (1,000 ÷ 100): with exactly 10, a channel whose next batch is built and
// stored a moment after the ledger closed leaves that ledger short; with 12 a batch is always queued (the sandbox
// ledger, like the network, carries what does not fit into the next ledger, first in first out).
const CHANNELS = Math.max(1, Number(process.env.PAYMENTS_BENCH_CHANNELS ?? 12));
const RECIPIENTS = 20;
const NAIVE_PAYMENTS = 12;
const SINGLE_PAYMENTS = CHANNELS * 6;
const LEDGERS = Math.max(1, Number(process.env.PAYMENTS_BENCH_LEDGERS ?? 22));
const ROUNDS = Math.max(1, Number(process.env.PAYMENTS_BENCH_ROUNDS ?? 3));
const BATCHED_PAYMENTS = LEDGERS * MAX_OPS_PER_LEDGER;

type Hz = Awaited<ReturnType<typeof startSandboxHorizon>>;
type Acts = ReturnType<typeof createStellarActivities>;

/** One payment as sent: its recipient, its (run-unique) amount in stroops, the transaction its call reported. */
interface Sent {
  ref: string;
  destination: string;
  stroops: bigint;
  hash: string;
  ledger: number;
}

interface RunResult {
  payments: number;
  ledgers: number;
  /** Payments in each ledger the run spanned, first to last (0 where a ledger carried none of them). */
  fill: number[];
  perLedger: number;
  /** Steady state: the payments of every ledger but the run's first and last (ramp-up, tail) ÷ those ledgers. */
  steadyPerLedger: number;
  perSecond: number;
}

/** Payment p of a run: recipient p mod n, amount 0.01 + p stroops (distinct within the run). */
function plan(p: number, recipients: string[]): { destination: string; stroops: bigint } {
  return { destination: recipients[p % recipients.length]!, stroops: 100_000n + BigInt(p) };
}

/**
 * Every payment on its own: each recipient's balance is exactly the sum sent to it, and each payment appears exactly
 * once among the recipient's payment operations, in the transaction its call reported; no other payment arrived.
 */
async function verify(hz: Hz, acts: Acts, asset: AssetRef, sent: Sent[]): Promise<void> {
  const byDestination = new Map<string, Sent[]>();
  for (const s of sent) byDestination.set(s.destination, [...(byDestination.get(s.destination) ?? []), s]);
  for (const [destination, expected] of byDestination) {
    const balance = parseAmount(await acts.getBalance(destination, asset));
    const sum = expected.reduce((a, s) => a + s.stroops, 0n);
    if (balance !== sum)
      throw new Error(`${destination} holds ${formatFixed7(balance)}, was sent ${formatFixed7(sum)}`);
    const seen = new Map<string, number>();
    let page = await hz.server.payments().forAccount(destination).limit(200).order('asc').call();
    for (;;) {
      for (const op of page.records) {
        if (op.type !== 'payment' || op.to !== destination) continue;
        const key = `${op.transaction_hash}:${parseAmount(op.amount)}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      if (page.records.length < 200) break;
      page = await page.next();
    }
    for (const s of expected) {
      const key = `${s.hash}:${s.stroops}`;
      const n = seen.get(key) ?? 0;
      if (n !== 1)
        throw new Error(`payment ${s.ref} (${formatFixed7(s.stroops)} to ${destination}) found ${n}×`);
      seen.delete(key);
    }
    if (seen.size > 0) throw new Error(`${destination} received ${seen.size} payment(s) nobody sent`);
  }
}

type AssetRef = { code: string; issuer: string | null };

const span = (ledgers: number[]) => Math.max(...ledgers) - Math.min(...ledgers) + 1;

function summarize(sent: Sent[], ms: number): RunResult {
  const ledgers = span(sent.map((s) => s.ledger));
  const first = Math.min(...sent.map((s) => s.ledger));
  const fill = Array.from({ length: ledgers }, () => 0);
  for (const s of sent) fill[s.ledger - first]!++;
  return {
    payments: sent.length,
    ledgers,
    fill,
    perLedger: sent.length / ledgers,
    steadyPerLedger:
      ledgers >= 3 ? fill.slice(1, -1).reduce((a, n) => a + n, 0) / (ledgers - 2) : sent.length / ledgers,
    perSecond: (sent.length * 1000) / ms,
  };
}

export async function benchPayments(): Promise<BenchResult[]> {
  // As worker/main.ts does: payments signed (and, in the sandbox ledger, verified) with node:crypto, not the
  // SDK's pure-JS ed25519. Without it this bench measured a signing path no worker runs.
  installNativeEd25519();
  const hz = await startSandboxHorizon({
    ledgerCloseMs: LEDGER_CLOSE_MS,
    maxOpsPerLedger: MAX_OPS_PER_LEDGER,
  });
  const tdb = await createTestDb('bench_pay');
  let db: Db | undefined;
  try {
    const channelSecrets = Array.from({ length: CHANNELS }, () => Keypair.random().secret());
    const config = testConfig({
      HORIZON_URL: hz.url,
      CHANNEL_SECRETS: channelSecrets.join(','),
    });
    await setupSandboxAccounts(config, { horizon: hz.server, workingBalance: '10000000' });
    const asset = anchorAsset(config);
    const noChannels: AppConfig = {
      ...config,
      payments: { ...config.payments, channelSecrets: [], channelAccounts: [] },
    };
    // One connection per payment in flight (each holds its ref's advisory lock) plus headroom.
    db = createDb({ url: tdb.url, schema: tdb.schema, poolSize: 2 * CHANNELS + 5 });
    const naive = createStellarActivities({ config: noChannels, db, horizon: hz.server });
    const ours = createStellarActivities({ config, db, horizon: hz.server });
    const amountOf = (stroops: bigint) => formatFixed7(stroops);

    // Naive: one payment per transaction from the distribution account, one after another.
    const runNaive = async (round: number): Promise<RunResult> => {
      const recipients = await createRecipients(config, hz);
      const sent: Sent[] = [];
      const t0 = Date.now();
      for (let p = 0; p < NAIVE_PAYMENTS; p++) {
        const { destination, stroops } = plan(p, recipients);
        const ref = `naive-${round}-${p}`;
        const r = await naive.sendPayment({ ref, destination, asset, amount: amountOf(stroops) });
        sent.push({ ref, destination, stroops, hash: r.hash, ledger: r.ledger });
      }
      const result = summarize(sent, Date.now() - t0);
      await verify(hz, ours, asset, sent);
      return result;
    };

    // Middle ground: one payment per transaction, but on the channel accounts in parallel (no batching).
    const runSingle = async (round: number): Promise<RunResult> => {
      const recipients = await createRecipients(config, hz);
      const sent: Sent[] = [];
      let next = 0;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: CHANNELS }, async () => {
          for (let p = next++; p < SINGLE_PAYMENTS; p = next++) {
            const { destination, stroops } = plan(p, recipients);
            const ref = `single-${round}-${p}`;
            const r = await ours.sendPayment({ ref, destination, asset, amount: amountOf(stroops) });
            sent.push({ ref, destination, stroops, hash: r.hash, ledger: r.ledger });
          }
        }),
      );
      const result = summarize(sent, Date.now() - t0);
      await verify(hz, ours, asset, sent);
      return result;
    };

    // Ours: batches of 100 payments on leased channel accounts, as many in flight as there are channels.
    const runBatched = async (round: number): Promise<RunResult> => {
      const recipients = await createRecipients(config, hz);
      const batches = Math.ceil(BATCHED_PAYMENTS / MAX_OPS_PER_TX);
      const sent: Sent[] = [];
      let next = 0;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: CHANNELS }, async () => {
          for (let b = next++; b < batches; b = next++) {
            const planned = Array.from(
              { length: Math.min(MAX_OPS_PER_TX, BATCHED_PAYMENTS - b * MAX_OPS_PER_TX) },
              (_, j) => {
                const p = b * MAX_OPS_PER_TX + j;
                return { ref: `p-${round}-${p}`, ...plan(p, recipients) };
              },
            );
            const r = await ours.sendPaymentBatch({
              batchRef: `batch-${round}-${b}`,
              payments: planned.map((x) => ({
                ref: x.ref,
                destination: x.destination,
                asset,
                amount: amountOf(x.stroops),
              })),
            });
            for (const x of planned) sent.push({ ...x, hash: r.hash, ledger: r.ledger });
          }
        }),
      );
      const result = summarize(sent, Date.now() - t0);
      await verify(hz, ours, asset, sent);
      return result;
    };

    const naiveRuns: RunResult[] = [];
    const singleRuns: RunResult[] = [];
    const batchedRuns: RunResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      naiveRuns.push(await runNaive(round));
      singleRuns.push(await runSingle(round));
      batchedRuns.push(await runBatched(round));
    }
    const naivePerLedger = median(naiveRuns.map((r) => r.perLedger));
    const fillOf = (runs: RunResult[]) => {
      const m = [...runs].sort((a, b) => a.steadyPerLedger - b.steadyPerLedger)[Math.floor(runs.length / 2)]!;
      const full = m.fill.filter((n) => n >= MAX_OPS_PER_LEDGER * 0.95).length;
      return `${m.fill.join(', ')} — ${full} of ${m.ledgers} ledgers at ≥ 95% of the cap; ${CHANNELS} channels`;
    };
    const describe = (runs: RunResult[]) =>
      runs
        .map(
          (r) =>
            `${r.payments} in ${r.ledgers} ledgers = ${r.perLedger.toFixed(1)}/ledger, steady ${r.steadyPerLedger.toFixed(1)} (${r.perSecond.toFixed(0)}/s)`,
        )
        .join('; ');
    const batchedRatios = batchedRuns.map((r, i) => r.steadyPerLedger / naiveRuns[i]!.perLedger);
    const singleRatios = singleRuns.map((r, i) => r.perLedger / naiveRuns[i]!.perLedger);
    const figure = median(batchedRuns.map((r) => r.steadyPerLedger));
    const verified =
      "every payment verified on its own (each recipient's exact balance; each payment exactly once among its " +
      "recipient's operations, in the transaction its call reported; no unexpected payment)";
    return [
      {
        name: `payments per ledger (100-op batches on ${CHANNELS} channel accounts), ${BATCHED_PAYMENTS} payments per run`,
        figure,
        unit: 'payments/ledger',
        baseline: naivePerLedger,
        baselineName: 'one tx per payment, one source account',
        ratio: median(batchedRatios),
        target: `≥ 950 per ledger against the ${MAX_OPS_PER_LEDGER}-operation cap (#16)`,
        notes:
          `${figure >= 950 ? 'Target met' : 'Target NOT met'}. Median of ${ROUNDS} runs alternated with the baselines ` +
          `(spread ${spread(batchedRuns.map((r) => r.steadyPerLedger))}); the figure is the steady state, every ledger ` +
          `but each run's first and last (ramp-up and tail): ${describe(batchedRuns)}. Ledger close ` +
          `${LEDGER_CLOSE_MS} ms, cap ${MAX_OPS_PER_LEDGER} ops/ledger. Naive: ${describe(naiveRuns)}. ${verified}, ` +
          `in every run of all three designs. Where the shortfall is (payments per ledger, first to last, of the ` +
          `median run): ${fillOf(batchedRuns)}.`,
      },
      {
        name: 'payments per ledger (one payment per tx, on channel accounts, no batching)',
        figure: median(singleRuns.map((r) => r.perLedger)),
        unit: 'payments/ledger',
        baseline: naivePerLedger,
        baselineName: 'one tx per payment, one source account',
        ratio: median(singleRatios),
        notes: `${describe(singleRuns)} on ${CHANNELS} channels: channels alone scale with their number; batching multiplies by up to 100. Spread of ratios ${spread(singleRatios)}.`,
      },
    ];
  } finally {
    await db?.destroy();
    await tdb.destroy();
    await hz.stop();
  }
}

/** Recipient accounts with a trust line to the anchor's asset (one transaction for all trust lines). */
async function createRecipients(config: AppConfig, hz: Hz): Promise<string[]> {
  const keys = Array.from({ length: RECIPIENTS }, () => Keypair.random());
  await Promise.all(keys.map((k) => hz.friendbot(k.publicKey())));
  const asset = new Asset(config.stellar.assetCode, config.stellar.issuerAccount);
  const first = await hz.server.loadAccount(keys[0]!.publicKey());
  const b = new TransactionBuilder(first, { fee: '100', networkPassphrase: hz.passphrase });
  for (const k of keys) b.addOperation(Operation.changeTrust({ asset, source: k.publicKey() }));
  const tx = b.setTimeout(60).build();
  for (const k of keys) tx.sign(k);
  await hz.server.submitTransaction(tx);
  return keys.map((k) => k.publicKey());
}

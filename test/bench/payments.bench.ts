/**
 * Sustained payments per ledger the anchor sends from the distribution account, against a sandbox ledger that
 * closes every 500 ms and admits at most 1,000 operations per ledger (the network's classic cap).
 *
 * Baseline (naive): one transaction per payment, from the distribution account alone, one after the other:
 * the account's sequence number serializes them, so about one payment per ledger.
 * Ours: `sendPaymentBatch` (activities/stellar.ts): up to 100 payment operations per transaction, on channel
 * accounts (each its own sequence number) leased in Postgres, the distribution account paying as operation source;
 * every batch envelope and each payment's ref → batch stored before submission (idempotent like sendPayment).
 */
import { Asset, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { createStellarActivities, MAX_OPS_PER_TX } from '../../activities/stellar.js';
import type { AppConfig } from '../../config/index.js';
import { createDb, type Db } from '../../db/index.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { anchorAsset } from '../../stellar/assets.js';
import { formatFixed7, parseAmount } from '../../stellar/money.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb } from '../helpers/db.js';
import { startSandboxHorizon } from '../helpers/horizon.js';
import type { BenchResult } from './types.js';

const LEDGER_CLOSE_MS = 500;
const MAX_OPS_PER_LEDGER = 1000;
const CHANNELS = 10;
const RECIPIENTS = 20;
const NAIVE_PAYMENTS = 12;
const BATCHED_PAYMENTS = 4000;

export async function benchPayments(): Promise<BenchResult[]> {
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
    await setupSandboxAccounts(config, { horizon: hz.server, workingBalance: '1000000' });
    const recipients = await createRecipients(config, hz);
    const asset = anchorAsset(config);
    const noChannels: AppConfig = {
      ...config,
      payments: { ...config.payments, channelSecrets: [], channelAccounts: [] },
    };
    // One connection per payment in flight (each holds its ref's advisory lock) plus headroom.
    db = createDb({ url: tdb.url, schema: tdb.schema, poolSize: 2 * CHANNELS + 5 });
    const naive = createStellarActivities({ config: noChannels, db, horizon: hz.server });
    const ours = createStellarActivities({ config, db, horizon: hz.server });

    // Naive: one payment per transaction from the distribution account, one after another.
    const naiveLedgers: number[] = [];
    const naiveStart = Date.now();
    for (let i = 0; i < NAIVE_PAYMENTS; i++) {
      const r = await naive.sendPayment({
        ref: `naive-${i}`,
        destination: recipients[i % recipients.length]!,
        asset,
        amount: '1',
      });
      naiveLedgers.push(r.ledger);
    }
    const naiveMs = Date.now() - naiveStart;
    const naivePerLedger = NAIVE_PAYMENTS / span(naiveLedgers);

    // Middle ground: one payment per transaction, but on the channel accounts in parallel (no batching).
    const singleLedgers: number[] = [];
    let nextSingle = 0;
    await Promise.all(
      Array.from({ length: CHANNELS }, async () => {
        for (let i = nextSingle++; i < CHANNELS * 6; i = nextSingle++) {
          const r = await ours.sendPayment({
            ref: `single-${i}`,
            destination: recipients[i % recipients.length]!,
            asset,
            amount: '1',
          });
          singleLedgers.push(r.ledger);
        }
      }),
    );
    const singlePerLedger = singleLedgers.length / span(singleLedgers);

    // Ours: batches of 100 payments on leased channel accounts, as many in flight as there are channels.
    const batches = Math.ceil(BATCHED_PAYMENTS / MAX_OPS_PER_TX);
    const ledgers: number[] = [];
    let next = 0;
    const before = await totalBalance(ours, recipients, asset);
    const start = Date.now();
    await Promise.all(
      Array.from({ length: CHANNELS }, async () => {
        for (let b = next++; b < batches; b = next++) {
          const payments = Array.from({ length: MAX_OPS_PER_TX }, (_, j) => ({
            ref: `p-${b}-${j}`,
            destination: recipients[(b * MAX_OPS_PER_TX + j) % recipients.length]!,
            asset,
            amount: '0.01',
          }));
          const r = await ours.sendPaymentBatch({ batchRef: `batch-${b}`, payments });
          ledgers.push(r.ledger);
        }
      }),
    );
    const ms = Date.now() - start;
    const perLedger = BATCHED_PAYMENTS / span(ledgers);
    // Exactly once: the recipients received exactly what was sent.
    const after = await totalBalance(ours, recipients, asset);
    const received = formatFixed7(parseAmount(after) - parseAmount(before));
    const expected = formatFixed7(BigInt(BATCHED_PAYMENTS) * parseAmount('0.01'));
    if (received !== expected) throw new Error(`recipients received ${received}, expected ${expected}`);

    return [
      {
        name: 'payments per ledger (100-op batches on channel accounts)',
        figure: perLedger,
        unit: 'payments/ledger',
        baseline: naivePerLedger,
        baselineName: 'one tx per payment, one source account',
        ratio: perLedger / naivePerLedger,
        target: '>= 100 payments per ledger',
        notes:
          `${BATCHED_PAYMENTS} payments in ${span(ledgers)} ledgers (${Math.round((BATCHED_PAYMENTS * 1000) / ms)}/s), ` +
          `${CHANNELS} channels, ledger close ${LEDGER_CLOSE_MS} ms, cap ${MAX_OPS_PER_LEDGER} ops/ledger; ` +
          `naive: ${NAIVE_PAYMENTS} payments in ${span(naiveLedgers)} ledgers (${Math.round((NAIVE_PAYMENTS * 1000) / naiveMs)}/s); ` +
          'balances checked: every payment landed exactly once',
      },
      {
        name: 'payments per ledger (one payment per tx, on channel accounts, no batching)',
        figure: singlePerLedger,
        unit: 'payments/ledger',
        baseline: naivePerLedger,
        baselineName: 'one tx per payment, one source account',
        ratio: singlePerLedger / naivePerLedger,
        notes: `${singleLedgers.length} payments in ${span(singleLedgers)} ledgers on ${CHANNELS} channels: channels alone scale with their number; batching multiplies by up to 100`,
      },
    ];
  } finally {
    await db?.destroy();
    await tdb.destroy();
    await hz.stop();
  }
}

/** Ledgers from the first to the last one used, inclusive. */
function span(ledgers: number[]): number {
  return Math.max(...ledgers) - Math.min(...ledgers) + 1;
}

async function totalBalance(
  acts: ReturnType<typeof createStellarActivities>,
  accounts: string[],
  asset: { code: string; issuer: string | null },
): Promise<string> {
  let sum = 0n;
  for (const a of accounts) sum += parseAmount(await acts.getBalance(a, asset));
  return formatFixed7(sum);
}

/** Recipient accounts with a trust line to the anchor's asset (one transaction for all trust lines). */
async function createRecipients(
  config: AppConfig,
  hz: Awaited<ReturnType<typeof startSandboxHorizon>>,
): Promise<string[]> {
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

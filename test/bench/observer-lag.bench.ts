/**
 * Observer lag at 100 incoming payments per second (#16 item 6): the payment observer (worker/observers.ts
 * startObservers → observerWorkflow → activities/observer.ts observePayments, on a real worker) reads the
 * distribution account's payments from the sandbox Horizon while OBSERVER_LAG_SENDERS accounts send it
 * OBSERVER_LAG_RATE payments a second for OBSERVER_LAG_SECONDS (30 s), 10 payment operations a transaction, one
 * transaction every 100 ms, submitted asynchronously (each sender's sequence numbers chained). One payment in 20
 * names an open withdrawal by its memo (a stand-in workflow takes the signal), the rest carry a memo nobody owns or
 * none: what counts is that every one is recorded.
 *
 * Lag of a payment = received_payments.recorded_at − its ledger's close time (ledger_closed_at), in ledgers of
 * OBSERVER_LAG_LEDGER_MS (5000, Stellar's own cadence). Baseline, side by side on the same stream: a bare poll
 * loop in this process (the same page size, the same poll interval when a page is empty, the same join of the
 * transactions; no recording, no workflow), lag = when it read the payment − the same close time.
 * The sandbox's close times are whole seconds (as on Stellar): both lags are over-read by up to 1 s alike.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Account, Asset, Keypair, Memo, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { sql } from 'kysely';
import type { AppConfig } from '../../config/index.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { observerWorkflowId, startObservers } from '../../worker/observers.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { median } from './stats.js';
import type { BenchResult } from './types.js';

const LEDGER_MS = Number(process.env.OBSERVER_LAG_LEDGER_MS ?? 5000);
const SECONDS = Number(process.env.OBSERVER_LAG_SECONDS ?? 30);
const RATE = Number(process.env.OBSERVER_LAG_RATE ?? 100);
const SENDERS = Number(process.env.OBSERVER_LAG_SENDERS ?? 10);
const OPS_PER_TX = 10;
const TICK_MS = (1000 * OPS_PER_TX) / RATE;
const MATCHED_EVERY = 20; // one payment in 20 names an open withdrawal

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export async function benchObserverLag(): Promise<BenchResult[]> {
  const hz: SandboxHorizonHandle = await startSandboxHorizon({
    ledgerCloseMs: LEDGER_MS,
    maxOpsPerLedger: 5000,
  });
  const tdb: TestDb = await createTestDb('olag');
  const taskQueue = `olag-${randomBytes(4).toString('hex')}`;
  // Production observer settings (page 200, 1 s poll interval); an account of its own, so its observer ID is too.
  const config: AppConfig = testConfig({
    HORIZON_URL: hz.url,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DISTRIBUTION_SECRET: Keypair.random().secret(),
  });
  const distribution = config.stellar.distributionAccount;
  const usdc = new Asset(config.stellar.assetCode, config.stellar.issuerAccount);
  let temporal: TestTemporal | undefined;
  let stopBaseline = false;
  let baselineDone: Promise<void> = Promise.resolve();
  try {
    await setupSandboxAccounts(config, { horizon: hz.server });
    const senders = Array.from({ length: SENDERS }, () => Keypair.random());
    await Promise.all(senders.map((k) => hz.friendbot(k.publicKey())));
    await Promise.all(
      senders.map(async (k) => {
        const acc = await hz.server.loadAccount(k.publicKey());
        const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: hz.passphrase })
          .addOperation(Operation.changeTrust({ asset: usdc }))
          .setTimeout(120)
          .build();
        tx.sign(k);
        await hz.server.submitTransaction(tx);
      }),
    );
    const issuer = Keypair.fromSecret(config.stellar.issuerSecret!);
    const fund = new TransactionBuilder(await hz.server.loadAccount(issuer.publicKey()), {
      fee: '100',
      networkPassphrase: hz.passphrase,
    });
    for (const k of senders)
      fund.addOperation(Operation.payment({ destination: k.publicKey(), asset: usdc, amount: '1000000' }));
    const fundTx = fund.setTimeout(120).build();
    fundTx.sign(issuer);
    await hz.server.submitTransaction(fundTx);

    // Open withdrawals the stream pays, each with a stand-in `withdraw-<id>` workflow that takes the signal.
    const total = Math.round((RATE * SECONDS) / OPS_PER_TX) * OPS_PER_TX;
    const withdrawals = Array.from({ length: Math.ceil(total / MATCHED_EVERY) }, (_, i) => ({
      id: randomUUID(),
      memo: `OL-${i}`,
    }));
    await tdb.db
      .insertInto('transactions')
      .values(
        withdrawals.map((w, i) => {
          const sender = senders[i % SENDERS]!.publicKey();
          return {
            id: w.id,
            kind: 'withdrawal' as const,
            status: 'pending_user_transfer_start' as const,
            sub: sender,
            sub_account: sender,
            sub_memo: null,
            client_domain: null,
            asset_code: config.stellar.assetCode,
            asset_issuer: config.stellar.issuerAccount,
            stellar_account: sender,
            withdraw_anchor_account: distribution,
            memo: w.memo,
            memo_type: 'text' as const,
            amount_in: '10',
            amount_expected: '10',
          };
        }),
      )
      .execute();

    temporal = await startTestWorker({ config, db: tdb.db, horizon: hz.server }, { taskQueue });
    const client = temporal.client;
    for (let i = 0; i < withdrawals.length; i += 25) {
      await Promise.all(
        withdrawals.slice(i, i + 25).map((w) =>
          client.workflow.start('paymentSignalProbeWorkflow', {
            taskQueue,
            workflowId: `withdraw-${w.id}`,
          }),
        ),
      );
    }
    await startObservers(client, config, { taskQueue });
    // Baseline: a bare poll loop, same page size and interval, no recording.
    const baselineSeen = new Map<string, number>(); // operation id → lag ms
    const pageSize = config.payments.observerPageSize;
    const pollMs = config.payments.observerPollIntervalMs;
    baselineDone = (async () => {
      let cursor: string | undefined;
      while (!stopBaseline) {
        let b = hz.server
          .payments()
          .forAccount(distribution)
          .order('asc')
          .limit(pageSize)
          .join('transactions');
        if (cursor) b = b.cursor(cursor);
        const page = await b.call();
        const now = Date.now();
        if (page.records.length === 0) {
          await sleep(pollMs);
          continue;
        }
        for (const r of page.records) {
          const rec = r as unknown as { id: string; created_at: string; to?: string };
          if (rec.to === distribution) baselineSeen.set(rec.id, now - Date.parse(rec.created_at));
        }
        cursor = page.records[page.records.length - 1]!.paging_token;
      }
    })();

    // The stream: one transaction of OPS_PER_TX payments every TICK_MS, round robin over the senders.
    const accounts = await Promise.all(
      senders.map(
        async (k) => new Account(k.publicKey(), (await hz.server.loadAccount(k.publicKey())).sequence),
      ),
    );
    const streamStart = new Date();
    let sentOps = 0;
    let failed = 0;
    let matchedSent = 0;
    const submits: Promise<void>[] = [];
    const ticks = total / OPS_PER_TX;
    const t0 = Date.now();
    for (let tick = 0; tick < ticks; tick++) {
      const due = t0 + tick * TICK_MS;
      if (due > Date.now()) await sleep(due - Date.now());
      const s = tick % SENDERS;
      // Every other transaction of a pair is matched: its first payment alone names a withdrawal.
      const matched = tick % (MATCHED_EVERY / OPS_PER_TX) === 0 && matchedSent < withdrawals.length;
      const builds: { memo: Memo | undefined; ops: number }[] = matched
        ? [
            { memo: Memo.text(withdrawals[matchedSent++]!.memo), ops: 1 },
            { memo: Memo.text(`NOBODY-${tick}`), ops: OPS_PER_TX - 1 },
          ]
        : [{ memo: tick % 3 === 0 ? undefined : Memo.text(`NOBODY-${tick}`), ops: OPS_PER_TX }];
      for (const b of builds) {
        const builder = new TransactionBuilder(accounts[s]!, {
          fee: '100',
          networkPassphrase: hz.passphrase,
          ...(b.memo ? { memo: b.memo } : {}),
        });
        for (let o = 0; o < b.ops; o++)
          builder.addOperation(Operation.payment({ destination: distribution, asset: usdc, amount: '10' }));
        const tx = builder.setTimeout(120).build();
        tx.sign(senders[s]!);
        sentOps += b.ops;
        submits.push(
          hz.server.submitAsyncTransaction(tx).then(
            (res) => {
              if (res.tx_status !== 'PENDING') failed += b.ops;
            },
            () => {
              failed += b.ops;
            },
          ),
        );
      }
    }
    const sendSeconds = (Date.now() - t0) / 1000;
    await Promise.all(submits);
    if (failed > 0)
      throw new Error(`${failed} of ${sentOps} payments were not accepted by the sandbox Horizon`);
    const streamEnd = new Date();

    // Wait until the observer has recorded the whole stream and the baseline has read it.
    const streamRows = async () =>
      (
        await sql<{ n: string }>`
          select count(*)::text as n from received_payments
          where from_account in (${sql.join(senders.map((k) => k.publicKey()))})`.execute(tdb.db)
      ).rows[0]!.n;
    await until(async () => Number(await streamRows()) >= sentOps, 180_000, `${sentOps} payments recorded`);
    const rows = await sql<{ id: string; lag_ms: number; status: string }>`
      select operation_id as id, extract(epoch from (recorded_at - ledger_closed_at)) * 1000 as lag_ms, status
      from received_payments
      where from_account in (${sql.join(senders.map((k) => k.publicKey()))})`.execute(tdb.db);
    const lags = rows.rows.map((r) => Number(r.lag_ms));
    await until(
      async () => rows.rows.every((r) => baselineSeen.has(r.id)),
      60_000,
      'the baseline loop to read the stream',
    );
    stopBaseline = true;
    await baselineDone;
    const ids = new Set(rows.rows.map((r) => r.id));
    const base = [...baselineSeen.entries()].filter(([id]) => ids.has(id)).map(([, lag]) => lag);
    const matched = rows.rows.filter((r) => r.status !== 'unmatched').length;
    const inLedgers = (ms: number) => ms / LEDGER_MS;
    const achieved = sentOps / sendSeconds;
    const common =
      `${sentOps} payments in ${sendSeconds.toFixed(1)} s (${achieved.toFixed(0)}/s, ${OPS_PER_TX} per transaction, ` +
      `${SENDERS} senders), ledgers every ${LEDGER_MS / 1000} s; observer page ${pageSize}, poll ${pollMs} ms. ` +
      `All ${rows.rows.length} recorded (${matched} matched an open withdrawal, the rest unmatched); ` +
      `the baseline read ${base.length}. Stream ${streamStart.toISOString()} to ${streamEnd.toISOString()}.`;
    return [
      {
        name: `observer lag at ${RATE} incoming payments/s: p50, recorded_at − ledger close, in ledgers`,
        figure: inLedgers(median(lags)),
        unit: 'ledgers',
        baseline: inLedgers(median(base)),
        baselineName: 'bare Horizon poll loop, no recording',
        ratio: median(lags) / median(base),
        target: `≤ 1 ledger at ${RATE} payments/s`,
        notes:
          `lower is better; ratio = observer ÷ baseline. In seconds: observer p50 ${(median(lags) / 1000).toFixed(2)}, ` +
          `p95 ${(quantile(lags, 0.95) / 1000).toFixed(2)}; baseline p50 ${(median(base) / 1000).toFixed(2)}, ` +
          `p95 ${(quantile(base, 0.95) / 1000).toFixed(2)}. ${common}`,
      },
      {
        name: `observer lag at ${RATE} incoming payments/s: max, in ledgers`,
        figure: inLedgers(Math.max(...lags)),
        unit: 'ledgers',
        baseline: inLedgers(Math.max(...base)),
        baselineName: 'bare Horizon poll loop, no recording',
        ratio: Math.max(...lags) / Math.max(...base),
        target: `≤ 1 ledger at ${RATE} payments/s`,
        notes:
          `lower is better; close times are whole seconds, so each lag reads up to 1 s (${(1000 / LEDGER_MS).toFixed(2)} ` +
          `ledger) high, alike for both. Max in seconds: observer ${(Math.max(...lags) / 1000).toFixed(2)}, ` +
          `baseline ${(Math.max(...base) / 1000).toFixed(2)}.`,
      },
    ];
  } finally {
    stopBaseline = true;
    await baselineDone.catch(() => {});
    if (temporal) {
      await temporal.client.workflow
        .getHandle(observerWorkflowId(distribution))
        .terminate('bench done')
        .catch(() => {});
      for await (const w of temporal.client.workflow.list({
        query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
      })) {
        await temporal.client.workflow
          .getHandle(w.workflowId)
          .terminate('bench done')
          .catch(() => {});
      }
      await temporal.stop();
    }
    await tdb.destroy();
    await hz.stop();
  }
}

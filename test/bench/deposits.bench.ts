/**
 * Sustained SEP-24 deposits per minute, end to end on the real stack as separate processes (test/e2e/stack): SEP-10
 * → POST deposit → hosted page → the DepositWorkflow asks for the transfer → sandbox bank transfer → signed bank
 * webhook → the workflow pays on the sandbox ledger (300 ms ledgers) → GET /transaction says completed.
 *
 * Closed loop: DEPOSIT_BENCH_CONCURRENCY (40) wallets each start their next deposit when the last one completed,
 * DEPOSIT_BENCH_COUNT (200) deposits per run. Steady state: the rate between the 20th and the 80th percentile
 * completion (ramp-up and tail left out).
 *
 * The floor (baseline): test/bench/deposits.floor-workflow.ts, a workflow with the deposit's shape (the same 9
 * activities, 2 signals each awaited with a timer, 4 search-attribute and 2 memo upserts), every activity a
 * no-op, started with the deposit's search attributes and driven the same way (same count, same concurrency,
 * same steady-state window) by a client that sends the two signals, on an in-process worker against the same
 * Temporal server. Its shape is fixed in code, not re-sized from the deposit's history (the deposit's activity
 * count is checked against it and reported). The two alternate DEPOSIT_BENCH_ROUNDS (3) times in one run.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { installRuntime } from '../../config/temporal.js';
import {
  AnchorTransactionId,
  AssetCode,
  StellarAccount,
  TransactionKind,
  TransactionStatus,
} from '../../workflows/search-attributes.js';
import { type Stack, startStack } from '../e2e/stack/index.js';
import {
  bankTransfer,
  completeDepositPages,
  mapLimit,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from '../e2e/stack/wallet.js';
import { FLOOR_ACTIVITIES, floorInteractiveSignal, floorTransferSignal } from './deposits.floor-workflow.js';
import { median, spread } from './stats.js';
import type { BenchResult } from './types.js';

const COUNT = Number(process.env.DEPOSIT_BENCH_COUNT ?? 200);
const CONCURRENCY = Number(process.env.DEPOSIT_BENCH_CONCURRENCY ?? 40);
const ROUNDS = Math.max(1, Number(process.env.DEPOSIT_BENCH_ROUNDS ?? 3));

/** Activities a workflow ran, its child workflows' included. */
async function activityCount(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  let count = 0;
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes) count++;
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (child) count += await activityCount(client, child);
  }
  return count;
}

interface Run {
  perMinute: number;
  elapsedS: number;
}

/**
 * `COUNT` jobs, `CONCURRENCY` at a time; the rate between the 20th and 80th percentile completion (at least two
 * completions apart).
 */
async function closedLoop(job: (i: number, slot: number) => Promise<void>): Promise<Run> {
  const t0 = performance.now();
  const completions: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, COUNT) }, async (_, slot) => {
      for (let i = next++; i < COUNT; i = next++) {
        await job(i, slot);
        completions.push(performance.now());
      }
    }),
  );
  completions.sort((a, b) => a - b);
  const lo = Math.floor(0.2 * (COUNT - 1));
  const hi = Math.max(lo + 1, Math.floor(0.8 * (COUNT - 1)));
  const windowMs = completions[hi]! - completions[lo]!;
  return { perMinute: (hi - lo) / (windowMs / 60_000), elapsedS: (performance.now() - t0) / 1000 };
}

interface Floor {
  run(): Promise<Run>;
  stop(): Promise<void>;
}

async function startFloor(): Promise<Floor> {
  installRuntime();
  const address = inject('temporalAddress');
  const taskQueue = `bench-floor-${randomBytes(4).toString('hex')}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./deposits.floor-workflow.ts', import.meta.url)),
    activities: { benchNoop: async () => {} },
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  let runs = 0;
  return {
    async run() {
      const prefix = `${taskQueue}-${runs++}`;
      return closedLoop(async (i) => {
        const id = `${prefix}-${i}`;
        const handle = await client.workflow.start('depositFloorWorkflow', {
          taskQueue,
          workflowId: id,
          typedSearchAttributes: [
            { key: AnchorTransactionId, value: id },
            { key: TransactionKind, value: 'deposit' },
            { key: TransactionStatus, value: 'incomplete' },
            { key: StellarAccount, value: 'GFLOOR' },
            { key: AssetCode, value: 'USDC' },
          ],
        });
        await handle.signal(floorInteractiveSignal, { amount: `${10 + i}.5` });
        await handle.signal(floorTransferSignal, { bankTransferId: `tr-${id}` });
        const result = await handle.result();
        if (result !== 'completed') throw new Error(`floor workflow ${id} ended ${result}`);
      });
    },
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}

export async function benchDeposits(): Promise<BenchResult[]> {
  let stack: Stack | undefined;
  let floor: Floor | undefined;
  try {
    stack = await startStack({ apis: 1, workers: 1, env: { SEP24_DEPOSIT_FEE_FIXED: '0.1' } });
    const s = stack;
    floor = await startFloor();
    // One funded wallet per concurrent slot; each runs its deposits one after another.
    const users = await mapLimit(Array.from({ length: Math.min(CONCURRENCY, COUNT) }), 8, () =>
      walletUser(s),
    );
    let firstDeposit: string | undefined;
    const deposit = async (i: number, slot: number) => {
      const user = users[slot]!;
      const amount = `${10 + (i % 50)}.5`;
      const jwt = await sep10Token(s, s.publicUrl, user);
      const { id, url } = await startInteractive(s.publicUrl, jwt, 'deposit', s.config.stellar.assetCode);
      firstDeposit ??= id;
      const reference = await completeDepositPages(url, amount);
      await bankTransfer(s, reference, amount);
      const tx = await waitForStatus(s.publicUrl, jwt, id, ['completed', 'error', 'refunded'], 170_000);
      if (tx.status !== 'completed') throw new Error(`deposit ${id} ended ${tx.status}`);
    };

    const ours: Run[] = [];
    const floors: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(await closedLoop(deposit));
      floors.push(await floor.run());
    }
    const activities = await activityCount(s.temporal, `deposit-${firstDeposit}`);
    const ratios = ours.map((o, i) => o.perMinute / floors[i]!.perMinute);
    const ratio = median(ratios);
    const describe = (runs: Run[]) =>
      runs.map((r) => `${r.perMinute.toFixed(0)}/min (${COUNT} in ${r.elapsedS.toFixed(0)} s)`).join(', ');
    return [
      {
        name: `SEP-24 deposits, sustained: ${COUNT} per run, ${CONCURRENCY} in flight, end to end (1 API + 1 worker process, dev server)`,
        figure: median(ours.map((r) => r.perMinute)),
        unit: 'deposits/min',
        baseline: median(floors.map((r) => r.perMinute)),
        baselineName: `floor: the deposit's shape (${FLOOR_ACTIVITIES} no-op activities, 2 signals, 2 timers, 4 search-attribute upserts)`,
        ratio,
        target: '≥ 0.6× the fair floor (#16)',
        notes:
          `${ratio >= 0.6 ? 'Target met' : 'Target NOT met'}. Steady state: completions between the 20th and ` +
          `80th percentile. Alternated ${ROUNDS}×, ratio = median of per-pair ratios (${ratios.map((r) => r.toFixed(2)).join(', ')}; ` +
          `spread ${spread(ratios)}). Ours: ${describe(ours)}; floor: ${describe(floors)}. A deposit here is SEP-10, ` +
          `the hosted page, a sandbox bank transfer and its signed webhook, a payment on a 300 ms sandbox ledger and ` +
          `GET /transaction polling; the floor has none of that I/O. A deposit ran ${activities} activities ` +
          `(floor: ${FLOOR_ACTIVITIES}${activities === FLOOR_ACTIVITIES ? '' : '; the floor no longer matches the deposit shape — update deposits.floor-workflow.ts'}).`,
      },
    ];
  } finally {
    await floor?.stop();
    await stack?.stop();
  }
}

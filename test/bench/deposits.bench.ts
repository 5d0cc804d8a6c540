/**
 * Sustained SEP-24 deposits per minute, end to end on the real stack as separate processes (test/e2e/stack): SEP-10
 * → POST deposit → hosted page → the DepositWorkflow asks for the transfer → sandbox bank transfer → signed bank
 * webhook → the workflow pays on the sandbox ledger (300 ms ledgers) → GET /transaction says completed.
 *
 * Closed loop: DEPOSIT_BENCH_CONCURRENCY (40) wallets each start their next deposit when the last one completed,
 * DEPOSIT_BENCH_COUNT (200) deposits per run. Steady state: the rate between the 20th and the 80th percentile
 * completion (ramp-up and tail left out).
 *
 * The floor (baseline): test/bench/deposits.floor-workflow.ts, a workflow with the deposit's shape (the same 10
 * activities, 2 signals each awaited with a timer, 4 search-attribute and 2 memo upserts), every activity a
 * no-op, started with the deposit's search attributes and driven the same way (same count, same concurrency,
 * same steady-state window) by a client that sends the two signals, on an in-process worker against the same
 * Temporal server. Its shape is fixed in code, not re-sized from the deposit's history (the deposit's activity
 * count is checked against it and reported). The two alternate DEPOSIT_BENCH_ROUNDS (3) times in one run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { installRuntime } from '../../config/temporal.js';
import {
  buildTemporalServer,
  dropClusterDatabases,
  isTemporalServerBuilt,
  startTemporalCluster,
  TEMPORAL_SERVER,
  type TemporalCluster,
} from '../../scripts/lib/temporal-cluster.js';
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
import { addCpuUse, type Classify, CORES, type CpuUse, cpuBetween, cpuSnapshot, perUnit } from './cpu.js';
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

/** Where one deposit's time went, from the wallet's side and from its workflow history (ms). */
interface DepositProfile {
  client: Record<string, number>;
  server: Record<string, number>;
  /** Activity type → [time queued (scheduled → started), time running (started → completed)]. */
  activities: Map<string, [number, number]>;
}

const PROFILE_SAMPLE = 30;

/** A history event's time in ms (seconds is a Long). */
function tsToMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(ts?.seconds ?? 0) * 1000 + (ts?.nanos ?? 0) / 1e6;
}

/**
 * The server side of a deposit's time, read off its history: the interactive step, the wait for the bank's
 * signal after the wallet sent the transfer (webhook delivery), and from that signal to the workflow's end (the
 * Stellar payment and the status mirror), plus each activity's queue and run time.
 */
async function historyProfile(client: Client, workflowId: string, bankSentAt: number) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const at = (i: number) => tsToMs(events[i]!.eventTime);
  const start = at(0);
  const end = at(events.length - 1);
  const signalAt = (name: string) => {
    const i = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name);
    return i < 0 ? undefined : at(i);
  };
  const interactive = signalAt('interactiveCompleted');
  const bank = signalAt('bankTransferReceived');
  const server: Record<string, number> = { 'workflow, start to end': end - start };
  if (interactive !== undefined) server['start → interactive signal'] = interactive - start;
  if (bank !== undefined) {
    server['wallet sent the bank transfer → bank signal (webhook delivery)'] = bank - bankSentAt;
    server['bank signal → workflow end (payment, mirroring)'] = end - bank;
  }
  const activities = new Map<string, [number, number]>();
  const scheduled = new Map<number, { type: string; at: number; startedAt?: number }>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const id = Number(e.eventId);
    const sch = e.activityTaskScheduledEventAttributes;
    if (sch) scheduled.set(id, { type: sch.activityType?.name ?? '?', at: at(i) });
    const st = e.activityTaskStartedEventAttributes;
    if (st) {
      const s = scheduled.get(Number(st.scheduledEventId));
      if (s) s.startedAt = at(i);
    }
    const done = e.activityTaskCompletedEventAttributes;
    if (done) {
      const s = scheduled.get(Number(done.scheduledEventId));
      if (s?.startedAt !== undefined) {
        const prev = activities.get(s.type) ?? [0, 0];
        activities.set(s.type, [prev[0] + (s.startedAt - s.at), prev[1] + (at(i) - s.startedAt)]);
      }
    }
  }
  return { server, activities };
}

/** Medians per phase over the sampled deposits, and the activity types that took the most time. */
function describeProfile(profiles: DepositProfile[]): string {
  const phases = (pick: (p: DepositProfile) => Record<string, number>) => {
    const names = [...new Set(profiles.flatMap((p) => Object.keys(pick(p))))];
    return names.map((n) => `${n} ${median(profiles.map((p) => pick(p)[n] ?? 0)).toFixed(0)}`).join('; ');
  };
  const totals = new Map<string, [number, number]>();
  for (const p of profiles) {
    for (const [type, [queued, ran]] of p.activities) {
      const t = totals.get(type) ?? [0, 0];
      totals.set(type, [t[0] + queued, t[1] + ran]);
    }
  }
  const n = profiles.length;
  const top = [...totals]
    .sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]))
    .slice(0, 6)
    .map(([type, [q, r]]) => `${type} ${(r / n).toFixed(0)} run + ${(q / n).toFixed(0)} queued`)
    .join(', ');
  return (
    `Profile, median ms per deposit over ${n} deposits of the last round — wallet side: ${phases((p) => p.client)}. ` +
    `Server side (history): ${phases((p) => p.server)}. Activities (mean ms per deposit): ${top}.`
  );
}

interface Run {
  perMinute: number;
  elapsedS: number;
}

const CPU_KINDS = ['Temporal', 'worker', 'API', 'sandboxes', 'Postgres', 'bench process', 'other'];

/** The processes a deposits run spends CPU in; `temporal` picks this run's Temporal server processes. */
function classifier(temporal: (cmdline: string) => boolean): Classify {
  return ({ pid, comm, cmdline }) => {
    if (pid === process.pid) return 'bench process';
    if (comm === 'postgres') return 'Postgres';
    if (temporal(cmdline)) return 'Temporal';
    if (!cmdline.includes('node')) return undefined;
    if (/\bapi\/main\.(ts|js)\b/.test(cmdline)) return 'API';
    if (/worker-main\.(ts|js)|\bworker\/main\.(ts|js)\b/.test(cmdline)) return 'worker';
    if (/\bsandbox\/(horizon|bank|kyc)\/main\.(ts|js)\b/.test(cmdline)) return 'sandboxes';
    return undefined;
  };
}

/**
 * CPU per deposit on each side, by process: what the deposit costs the machine beyond its floor. With every core
 * busy, the throughput ratio cannot exceed the ratio of these totals.
 */
function describeCpu(ours: CpuUse, floor: CpuUse, count: number): string {
  const o = perUnit(ours, count, CPU_KINDS);
  const f = perUnit(floor, count, CPU_KINDS);
  const parts = o.parts
    .map(([k, ms], i) => [k, ms, f.parts[i]![1]] as const)
    .filter(([, a, b]) => a >= 0.5 || b >= 0.5)
    .map(([k, a, b]) => `${k} ${a.toFixed(0)} | ${b.toFixed(0)}`)
    .join(', ');
  const busy = (u: CpuUse) => (u.machineBusy === undefined ? '?' : `${(u.machineBusy * 100).toFixed(0)}%`);
  return (
    `CPU per deposit, ms (ours | floor), /proc over all rounds: ${parts}; total ${o.total.toFixed(0)} | ` +
    `${f.total.toFixed(0)}. The ${CORES} cores were ${busy(ours)} busy during ours and ${busy(floor)} during ` +
    `the floor: at full use the CPU alone bounds the ratio at ${(f.total / o.total).toFixed(2)}×. `
  );
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

async function startFloor(address: string): Promise<Floor> {
  installRuntime();
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

/** One side-by-side run of the deposits and their floor on one Temporal frontend. */
async function depositsOn(where: {
  label: string;
  temporalAddress: string;
  processes: 1 | 2;
  /** True for the command line of a Temporal server process of this run (its CPU is counted as Temporal's). */
  isTemporal: (cmdline: string) => boolean;
}): Promise<BenchResult> {
  let stack: Stack | undefined;
  let floor: Floor | undefined;
  try {
    stack = await startStack({
      apis: where.processes,
      workers: where.processes,
      temporalAddress: where.temporalAddress,
      env: { SEP24_DEPOSIT_FEE_FIXED: '0.1' },
    });
    const s = stack;
    floor = await startFloor(where.temporalAddress);
    // One funded wallet per concurrent slot; each runs its deposits one after another.
    const users = await mapLimit(Array.from({ length: Math.min(CONCURRENCY, COUNT) }), 8, () =>
      walletUser(s),
    );
    let firstDeposit: string | undefined;
    let profiles: DepositProfile[] = [];
    let sampled: { id: string; client: Record<string, number>; bankSentAt: number }[] = [];
    const deposit = async (i: number, slot: number) => {
      const user = users[slot]!;
      const amount = `${10 + (i % 50)}.5`;
      const t0 = performance.now();
      const jwt = await sep10Token(s, s.publicUrl, user);
      const t1 = performance.now();
      const { id, url } = await startInteractive(s.publicUrl, jwt, 'deposit', s.config.stellar.assetCode);
      firstDeposit ??= id;
      const t2 = performance.now();
      const reference = await completeDepositPages(url, amount);
      const t3 = performance.now();
      await bankTransfer(s, reference, amount);
      const bankSentAt = Date.now();
      const t4 = performance.now();
      const tx = await waitForStatus(s.publicUrl, jwt, id, ['completed', 'error', 'refunded'], 170_000);
      const t5 = performance.now();
      if (tx.status !== 'completed') throw new Error(`deposit ${id} ended ${tx.status}`);
      if (i % Math.max(1, Math.floor(COUNT / PROFILE_SAMPLE)) === 0) {
        sampled.push({
          id,
          bankSentAt,
          client: {
            'SEP-10': t1 - t0,
            'POST deposit': t2 - t1,
            'hosted pages': t3 - t2,
            'bank transfer call': t4 - t3,
            'bank transfer → wallet sees completed (200 ms polls)': t5 - t4,
          },
        });
      }
    };

    const ours: Run[] = [];
    const floors: Run[] = [];
    const oursCpu: CpuUse[] = [];
    const floorCpu: CpuUse[] = [];
    const classify = classifier(where.isTemporal);
    const measured = async (fn: () => Promise<Run>, into: CpuUse[]) => {
      const before = cpuSnapshot(classify);
      const run = await fn();
      into.push(cpuBetween(before, cpuSnapshot(classify)));
      return run;
    };
    for (let round = 0; round < ROUNDS; round++) {
      sampled = [];
      ours.push(await measured(() => closedLoop(deposit), oursCpu));
      floors.push(await measured(() => floor!.run(), floorCpu));
    }
    profiles = [];
    for (const d of sampled) {
      const h = await historyProfile(s.temporal, `deposit-${d.id}`, d.bankSentAt);
      profiles.push({ client: d.client, ...h });
    }
    const activities = await activityCount(s.temporal, `deposit-${firstDeposit}`);
    // Deposit payouts batched (PAYOUT_BATCH_WINDOW_MS): how many transactions carried them.
    const [payouts] = await s.query<{ payments: number; envelopes: number; largest: number }>(
      `select count(*)::int as payments, count(distinct envelope_ref)::int as envelopes,
              coalesce(max(n), 0)::int as largest
       from stellar_payments p join (select envelope_ref as e, count(*) as n from stellar_payments group by 1) c
         on c.e = p.envelope_ref
       where p.ref like 'deposit-%'`,
    );
    const ratios = ours.map((o, i) => o.perMinute / floors[i]!.perMinute);
    const ratio = median(ratios);
    const describe = (runs: Run[]) =>
      runs.map((r) => `${r.perMinute.toFixed(0)}/min (${COUNT} in ${r.elapsedS.toFixed(0)} s)`).join(', ');
    return {
      name: `SEP-24 deposits, sustained: ${COUNT} per run, ${CONCURRENCY} in flight, end to end (${where.processes} API + ${where.processes} worker process${where.processes > 1 ? 'es' : ''}, ${where.label})`,
      figure: median(ours.map((r) => r.perMinute)),
      unit: 'deposits/min',
      baseline: median(floors.map((r) => r.perMinute)),
      baselineName: `floor: the deposit's shape (${FLOOR_ACTIVITIES} no-op activities, 2 signals, 2 timers, 4 search-attribute upserts), same frontend`,
      ratio,
      target: '≥ 0.6× the fair floor (#16)',
      notes:
        `${ratio >= 0.6 ? 'Target met' : 'Target NOT met'}. Steady state: completions between the 20th and ` +
        `80th percentile. Alternated ${ROUNDS}×, ratio = median of per-pair ratios (${ratios.map((r) => r.toFixed(2)).join(', ')}; ` +
        `spread ${spread(ratios)}). Ours: ${describe(ours)}; floor: ${describe(floors)}. A deposit here is SEP-10, ` +
        `the hosted page, a sandbox bank transfer and its signed webhook, a payment on a 300 ms sandbox ledger and ` +
        `GET /transaction polling; the floor has none of that I/O. A deposit ran ${activities} activities ` +
        `(floor: ${FLOOR_ACTIVITIES}${activities === FLOOR_ACTIVITIES ? '' : '; the floor no longer matches the deposit shape — update deposits.floor-workflow.ts'}). ` +
        `Payouts: ${payouts?.payments ?? 0} deposits paid in ${payouts?.envelopes ?? 0} transactions ` +
        `(batched within PAYOUT_BATCH_WINDOW_MS=${s.config.payments.payoutBatchWindowMs} ms; largest ${payouts?.largest ?? 0} operations). ` +
        describeCpu(addCpuUse(oursCpu), addCpuUse(floorCpu), COUNT * ROUNDS) +
        describeProfile(profiles),
    };
  } finally {
    await floor?.stop();
    await stack?.stop();
  }
}

/**
 * The deposits against their floor on the test run's dev server, then on a 2-node Temporal cluster (scripts/lib/
 * temporal-cluster.ts, the cluster test's shape: 4 history shards, Postgres persistence and visibility) with 2 API
 * and 2 worker processes. The cluster half needs the server binary (npm run cluster builds it; DEPOSIT_BENCH_CLUSTER=0
 * leaves it out) and says so in the table when it is missing.
 */
/** The dev server listening on `address`'s port (the test run starts more than one). */
function devServerAt(address: string): (cmdline: string) => boolean {
  const port = address.split(':').pop();
  return (cmdline) => cmdline.includes(' start-dev ') && cmdline.includes(` --port ${port} `);
}

export async function benchDeposits(): Promise<BenchResult[]> {
  const results = [
    await depositsOn({
      label: 'dev server',
      temporalAddress: inject('temporalAddress'),
      processes: 1,
      isTemporal: devServerAt(inject('temporalAddress')),
    }),
  ];
  if (process.env.DEPOSIT_BENCH_CLUSTER === '0') return results;
  if (!isTemporalServerBuilt()) {
    results.push({
      name: 'SEP-24 deposits on the 2-node cluster',
      figure: Number.NaN,
      unit: 'deposits/min',
      notes:
        'not run: no Temporal server binary. Run "npm run cluster" once to build and cache it (about 7 minutes).',
    });
    return results;
  }
  await buildTemporalServer(() => {});
  const id = randomBytes(3).toString('hex');
  const databases = { default: `temporal_bench_${id}`, visibility: `temporal_bench_${id}_vis` };
  let cluster: TemporalCluster | undefined;
  try {
    cluster = await startTemporalCluster({
      nodes: 2,
      shards: 4,
      databases,
      dir: mkdtempSync(join(tmpdir(), `anchor-bench-cluster-${id}-`)),
      retentionDays: 1,
    });
    results.push(
      await depositsOn({
        label: '2-node Temporal cluster',
        temporalAddress: cluster.address,
        processes: 2,
        isTemporal: (cmdline) =>
          cmdline.startsWith(`${TEMPORAL_SERVER} `) && cmdline.includes('--config-file'),
      }),
    );
  } finally {
    await cluster?.stop();
    await dropClusterDatabases(databases).catch(() => {});
  }
  return results;
}

/**
 * The whole anchor as separate processes for one test file, the way `npm start` runs it (scripts/dev.ts): a fresh
 * Postgres database on the project cluster, the sandbox Horizon, bank and KYC provider, N workers and N APIs as
 * `tsx` children on free ports, one random task queue on the shared test Temporal server (or `temporalAddress`),
 * every URL wired by env.
 * Workers can be SIGKILLed and restarted; `stop()` always takes every child down and drops the database.
 */
import { spawn as spawnChild } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Horizon, Keypair } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { inject } from 'vitest';
import { type AppConfig, loadConfig } from '../../../config/index.js';
import { createDb, type Db, migrateToLatest } from '../../../db/index.js';
import { setupSandboxAccounts } from '../../../scripts/accounts-setup.js';
import { pgUrl } from '../../../scripts/lib/paths.js';
import { freePort } from '../../../scripts/lib/ports.js';
import { ensureDatabase } from '../../../scripts/lib/postgres.js';
import { type ManagedProcess, tail, waitForHttp } from '../../../scripts/lib/proc.js';
import { observerWorkflowId } from '../../../worker/observers.js';

export interface StackOptions {
  apis?: 1 | 2;
  workers?: 1 | 2;
  /** Extra environment for every child (config keys of config/schema.ts). */
  env?: Record<string, string>;
  /** A Temporal frontend other than the test run's dev server (the cluster test's balancer). */
  temporalAddress?: string;
}

export interface Stack {
  /** PUBLIC_URL: the first API (hosted pages, webhooks). */
  publicUrl: string;
  /** Every API process, for spreading wallet requests. */
  apiUrls: string[];
  horizonUrl: string;
  bankUrl: string;
  kycUrl: string;
  /** The environment every child got. */
  env: Record<string, string>;
  /** The same configuration the children load. */
  config: AppConfig;
  /** A pool on the stack's own database (read-only checks and test fixtures). */
  db: Db;
  /** Raw SQL on the stack database (the sandbox bank's own schema). */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  horizon: Horizon.Server;
  temporal: Client;
  logDir: string;
  /** Kills worker i with a signal and waits until it is gone. */
  killWorker(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** The log tail of a child that exited on its own (not killed by the test), if any. */
  crashed(): string | undefined;
  /** Starts worker i again (after a kill) and waits until it polls. */
  restartWorker(i: number): Promise<void>;
  /** SIGKILLs API i and starts it again on its port, waiting for /health. */
  restartApi?(i: number): Promise<void>;
  workerCount: number;
  stop(): Promise<void>;
}

const QUIET = { LOG_LEVEL: 'info' };

/**
 * `node --import tsx <entry>`: one process per service (the `tsx` CLI forks a second node process, so a SIGKILL
 * of the CLI would leave the real worker running as an orphan). Detached into its own process group, which
 * `signalGroup` signals as a whole.
 */
function startTsx(name: string, entry: string, env: NodeJS.ProcessEnv, logFile: string): ManagedProcess {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawnChild(process.execPath, ['--import', 'tsx', entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, logFile, exited };
}

const alive = (p: ManagedProcess) => p.child.exitCode === null && p.child.signalCode === null;

function signalGroup(p: ManagedProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-p.child.pid!, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs`. */
async function stopProcess(p: ManagedProcess, graceMs: number): Promise<void> {
  if (!alive(p)) return;
  signalGroup(p, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(p, 'SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** Poll until `check` answers truthy (no fixed sleeps); the message names what never happened. */
export async function until<T>(
  check: () => Promise<T> | T,
  timeoutMs: number,
  what: string,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The environment of a stack's processes (its own database, task queue, distribution account and ports; fast
 * ledgers and polls), shared by `startStack` and `startDevStack` (stack/dev.ts). `extra` wins.
 */
export function stackEnv(o: {
  id: string;
  database: string;
  publicUrl: string;
  temporalAddress: string;
  horizonPort: number;
  bankPort: number;
  kycPort: number;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    PROFILE: 'sandbox',
    ...QUIET,
    DATABASE_URL: pgUrl(o.database),
    DATABASE_POOL_SIZE: '10',
    TEMPORAL_ADDRESS: o.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: `e2e-stack-${o.id}`,
    PUBLIC_URL: o.publicUrl,
    API_HOST: '127.0.0.1',
    HORIZON_URL: `http://127.0.0.1:${o.horizonPort}`,
    SANDBOX_HORIZON_PORT: String(o.horizonPort),
    SANDBOX_HORIZON_LEDGER_CLOSE_MS: '300',
    SANDBOX_BANK_PORT: String(o.bankPort),
    BANK_API_URL: `http://127.0.0.1:${o.bankPort}`,
    SANDBOX_BANK_WEBHOOK_URL: `${o.publicUrl}/webhooks/bank`,
    BANK_POLL_INTERVAL_SECONDS: '0',
    SANDBOX_KYC_PORT: String(o.kycPort),
    KYC_PROVIDER_URL: `http://127.0.0.1:${o.kycPort}`,
    SANDBOX_KYC_WEBHOOK_URL: `${o.publicUrl}/webhooks/kyc`,
    SANDBOX_KYC_DELAY_MS: '100',
    // Its own distribution (= receiving) account: the observer's workflow id is unique on the shared server.
    DISTRIBUTION_SECRET: Keypair.random().secret(),
    SEP10_RATE_LIMIT_MAX: '0',
    OBSERVER_POLL_INTERVAL_MS: '200',
    WITHDRAW_PAYOUT_POLL_SECONDS: '1',
    ...o.extra,
  };
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const apis = opts.apis ?? 1;
  const workers = opts.workers ?? 1;
  const id = randomBytes(5).toString('hex');
  const database = `anchor_e2e_${id}`;
  const logDir = mkdtempSync(join(tmpdir(), `anchor-stack-${id}-`));
  const children: (ManagedProcess | undefined)[] = [];
  const workerProcs: (ManagedProcess | undefined)[] = [];
  let stopping = false;
  let crashed: string | undefined;
  let pool: pg.Pool | undefined;
  let db: Db | undefined;
  let connection: Connection | undefined;

  const [horizonPort, bankPort, kycPort, ...apiPorts] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    ...Array.from({ length: apis }, () => freePort()),
  ]);
  const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
  const publicUrl = apiUrls[0]!;
  const env = stackEnv({
    id,
    database,
    publicUrl,
    temporalAddress: opts.temporalAddress ?? inject('temporalAddress'),
    horizonPort,
    bankPort,
    kycPort,
    extra: opts.env,
  });
  const config = loadConfig(env);
  const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_OPTIONS: process.env.NODE_OPTIONS,
    ...env,
    ...extra,
  });

  const watch = (proc: ManagedProcess) => {
    proc.exited.then((code) => {
      if (!stopping && proc.child.signalCode === null) {
        crashed = `${proc.name} exited (code ${code}):\n${tail(proc.logFile, 30)}`;
      }
    });
  };
  const spawn = (name: string, entry: string, extra: Record<string, string> = {}) => {
    const proc = startTsx(name, entry, childEnv(extra), join(logDir, `${name.replace(/\W+/g, '-')}.log`));
    children.push(proc);
    watch(proc);
    return proc;
  };

  // If the test process dies first, take the detached children with it.
  const killAll = () => {
    for (const p of [...children, ...workerProcs]) if (p && alive(p)) signalGroup(p, 'SIGKILL');
  };
  process.once('exit', killAll);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.off('exit', killAll);
    // A child that died on its own during the test: its log tail explains the timeouts the test saw.
    if (crashed) console.error(`[e2e stack] ${crashed}\n(logs in ${logDir})`);
    await Promise.all(
      [...children, ...workerProcs].filter((p): p is ManagedProcess => !!p).map((p) => stopProcess(p, 5000)),
    );
    if (connection) {
      const client = new Client({ connection });
      for (const account of config.payments.receivingAccounts) {
        await client.workflow
          .getHandle(observerWorkflowId(account))
          .terminate('stack stopped')
          .catch(() => {});
      }
      await connection.close().catch(() => {});
    }
    await db?.destroy().catch(() => {});
    await pool?.end().catch(() => {});
    const admin = new pg.Client({ connectionString: pgUrl('postgres') });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`).catch(() => {});
    await admin.end();
  };

  const starts: number[] = [];
  const startWorker = async (i: number) => {
    // One log per incarnation, so a restart waits for its own "worker started" line.
    starts[i] = (starts[i] ?? 0) + 1;
    const proc = startTsx(
      `worker-${i}`,
      'test/e2e/stack/worker-main.ts',
      childEnv({ STACK_WORKFLOW_BUNDLE: inject('workflowBundlePath') }),
      join(logDir, `worker-${i}.${starts[i]}.log`),
    );
    workerProcs[i] = proc;
    watch(proc);
    // "worker started" is logged once the worker is created and the observers are ensured.
    await until(
      () => {
        if (proc.child.exitCode !== null) throw new Error(`worker-${i} exited:\n${tail(proc.logFile, 30)}`);
        return tail(proc.logFile, 200).includes('"worker started"');
      },
      120_000,
      `worker-${i} to start (log ${proc.logFile})`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${tail(proc.logFile, 30)}`);
    });
  };

  try {
    await ensureDatabase(database);
    db = createDb({ url: env.DATABASE_URL!, poolSize: 4 });
    await migrateToLatest(db);
    pool = new pg.Pool({ connectionString: env.DATABASE_URL!, max: 2 });

    const horizonProc = spawn('sandbox-horizon', 'sandbox/horizon/main.ts');
    const bankProc = spawn('sandbox-bank', 'sandbox/bank/main.ts');
    const kycProc = spawn('sandbox-kyc', 'sandbox/kyc/main.ts');
    await Promise.all([
      waitForHttp(`${env.HORIZON_URL}/`, horizonProc, 90_000),
      waitForHttp(`${env.BANK_API_URL}/`, bankProc, 90_000),
      waitForHttp(`${env.KYC_PROVIDER_URL}/`, kycProc, 90_000),
    ]);
    const horizon = new Horizon.Server(env.HORIZON_URL!, { allowHttp: true });
    await setupSandboxAccounts(config, { horizon, log: () => {} });

    for (let i = 0; i < workers; i++) await startWorker(i);
    const apiProcs: ManagedProcess[] = [];
    const startApi = (i: number) => {
      const proc = spawn(`api-${i}`, 'api/main.ts', { API_PORT: String(apiPorts[i]) });
      apiProcs[i] = proc;
      return waitForHttp(`${apiUrls[i]}/health`, proc, 90_000);
    };
    await Promise.all(apiPorts.map((_, i) => startApi(i)));
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    const temporal = new Client({ connection, namespace: 'default' });
    const livePool = pool;

    return {
      publicUrl,
      apiUrls,
      horizonUrl: env.HORIZON_URL!,
      bankUrl: env.BANK_API_URL!,
      kycUrl: env.KYC_PROVIDER_URL!,
      env,
      config,
      db,
      async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
        return (await livePool.query<R>(text, values)).rows;
      },
      horizon,
      temporal,
      logDir,
      workerCount: workers,
      crashed: () => crashed,
      async killWorker(i, signal = 'SIGKILL') {
        const proc = workerProcs[i];
        if (!proc || !alive(proc)) return;
        signalGroup(proc, signal);
        await proc.exited;
      },
      async restartApi(i) {
        const proc = apiProcs[i];
        if (proc && alive(proc)) {
          signalGroup(proc, 'SIGKILL');
          await proc.exited;
        }
        await startApi(i);
      },
      async restartWorker(i) {
        if (crashed) throw new Error(crashed);
        await startWorker(i);
      },
      stop,
    };
  } catch (err) {
    const msg = `${(err as Error).message}${crashed ? `\n${crashed}` : ''}\n(logs in ${logDir})`;
    await stop().catch(() => {});
    throw new Error(msg);
  }
}

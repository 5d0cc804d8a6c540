/**
 * The anchor exactly as `npm start` runs it: `scripts/dev.ts` itself, supervising its own Temporal dev server
 * (free port, state file in a temporary run directory), the sandbox Horizon, bank and KYC provider, the worker
 * and the API, all on free ports with a fresh database. The test reads what the supervisor prints (pids,
 * restarts) and can signal dev.ts, or any one child, like an operator would.
 * `upstreams` may put something (the fault proxy) between the anchor and each simulator; `postgres` runs the
 * stack on another cluster that dev.ts starts and stops itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Horizon } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig } from '../../../config/index.js';
import { createDb } from '../../../db/index.js';
import { freePort } from '../../../scripts/lib/ports.js';
import { type Stack, stackEnv, until } from './index.js';

export interface DevStackOptions {
  env?: Record<string, string>;
  /** Given the simulators' own URLs, what the anchor should call instead (e.g. a fault proxy in front). */
  upstreams?: (real: {
    horizon: string;
    bank: string;
    kyc: string;
  }) => Promise<{ horizon?: string; bank?: string; kyc?: string }>;
  /** Another Postgres cluster (data directory, port): dev.ts starts it, and stops it when it stops. */
  postgres?: { dataDir: string; port: number };
}

export interface DevStack extends Stack {
  /** The dev.ts process (the one `npm start` runs). */
  dev: ChildProcess;
  runDir: string;
  temporalAddress: string;
  /** What dev.ts printed so far (colours stripped). */
  output(): string;
  /** The current pid of each supervised process, by the name the supervisor uses. */
  pids(): Map<string, number>;
  /** Every pid any supervised process ever had. */
  everyPid(): Set<number>;
  /** Waits until dev.ts has printed a line matching `re` `count` times in all. */
  waitForOutput(re: RegExp, timeoutMs: number, count?: number): Promise<string>;
  /** Signals one supervised process (by its supervisor name) and waits until it is gone. */
  killService(name: string, signal?: NodeJS.Signals): Promise<number>;
  /** Processes still alive that belong to this stack (found by its run directory in their environment). */
  leftovers(): number[];
  /** Resolves with dev.ts's exit code. */
  devExited: Promise<number | null>;
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of live processes whose environment carries `marker` (ANCHOR_RUN_DIR=...). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // A zombie (state Z) has exited already; it only waits for its parent to collect it.
      if (environ.split('\0').includes(marker) && !/^\d+ \(.*\) Z /.test(stat)) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

export async function startDevStack(opts: DevStackOptions = {}): Promise<DevStack> {
  const id = randomBytes(5).toString('hex');
  const database = `anchor_dev_${id}`;
  const runDir = mkdtempSync(join(tmpdir(), `anchor-dev-${id}-`));
  const [horizonPort, bankPort, kycPort, apiPort, temporalPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const publicUrl = `http://127.0.0.1:${apiPort}`;
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const real = {
    horizon: `http://127.0.0.1:${horizonPort}`,
    bank: `http://127.0.0.1:${bankPort}`,
    kyc: `http://127.0.0.1:${kycPort}`,
  };
  const via = (await opts.upstreams?.(real)) ?? {};
  const pgPort = opts.postgres?.port ?? 54329;
  const env = stackEnv({
    id,
    database,
    publicUrl,
    temporalAddress,
    horizonPort,
    bankPort,
    kycPort,
    extra: {
      API_PORT: String(apiPort),
      DATABASE_URL: `postgres://anchor:anchor@127.0.0.1:${pgPort}/${database}`,
      HORIZON_URL: via.horizon ?? real.horizon,
      BANK_API_URL: via.bank ?? real.bank,
      KYC_PROVIDER_URL: via.kyc ?? real.kyc,
      ...opts.env,
    },
  });
  const config = loadConfig(env);
  const marker = `ANCHOR_RUN_DIR=${runDir}`;
  const devEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.ANCHOR_HOME ? { ANCHOR_HOME: process.env.ANCHOR_HOME } : {}),
    ...(process.env.ANCHOR_CACHE ? { ANCHOR_CACHE: process.env.ANCHOR_CACHE } : {}),
    ...env,
    ANCHOR_RUN_DIR: runDir,
    ANCHOR_TEMPORAL_UI_PORT: '0',
    // The test run's prebuilt bundle: a worker (re)starts in seconds instead of re-running webpack.
    WORKFLOW_BUNDLE_PATH: inject('productionWorkflowBundlePath'),
    ...(opts.postgres
      ? { ANCHOR_PG_DATA: opts.postgres.dataDir, ANCHOR_PG_PORT: String(opts.postgres.port) }
      : {}),
  };

  const log = createWriteStream(join(runDir, 'dev.out'), { flags: 'a' });
  const dev = spawn(process.execPath, ['--import', 'tsx', 'scripts/dev.ts'], {
    env: devEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const everyPid = new Set<number>();
  const current = new Map<string, number>();
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    const text = chunk.toString('utf8').replace(ANSI, '');
    out += text;
    for (const m of text.matchAll(/running: (.*)/g)) {
      for (const p of m[1]!.matchAll(/([^,]+?) \(pid (\d+)\)/g)) {
        current.set(p[1]!.trim(), Number(p[2]));
        everyPid.add(Number(p[2]));
      }
    }
    for (const m of text.matchAll(/\[supervisor\] (.+) is back \(pid (\d+)\)/g)) {
      current.set(m[1]!.trim(), Number(m[2]));
      everyPid.add(Number(m[2]));
    }
  };
  dev.stdout!.on('data', onData);
  dev.stderr!.on('data', onData);
  const devExited = new Promise<number | null>((r) => dev.once('exit', (code) => r(code)));
  const killAll = () => {
    for (const pid of [...processesWith(marker), dev.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  };
  process.once('exit', killAll);

  const waitForOutput = async (re: RegExp, timeoutMs: number, count = 1) => {
    const global = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    return until(
      () => {
        const hits = [...out.matchAll(global)];
        if (hits.length >= count) return hits[count - 1]![0];
        if (dev.exitCode !== null)
          throw new Error(`dev.ts exited (code ${dev.exitCode}):\n${out.slice(-3000)}`);
        return undefined;
      },
      timeoutMs,
      `npm start to print ${re}`,
    );
  };

  let db: ReturnType<typeof createDb> | undefined;
  let pool: pg.Pool | undefined;
  let connection: Connection | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await connection?.close().catch(() => {});
    await db?.destroy().catch(() => {});
    await pool?.end().catch(() => {});
    if (dev.exitCode === null && dev.signalCode === null) {
      dev.kill('SIGTERM');
      const timer = setTimeout(killAll, 60_000);
      await devExited;
      clearTimeout(timer);
    }
    process.off('exit', killAll);
    killAll();
    if (!opts.postgres) {
      const admin = new pg.Client({
        connectionString: `postgres://anchor:anchor@127.0.0.1:${pgPort}/postgres`,
      });
      await admin.connect();
      await admin.query(`drop database if exists ${database} with (force)`).catch(() => {});
      await admin.end();
    }
    // Kept when dev.ts did not stop cleanly: its logs explain why.
    if ((await devExited) === 0 && !process.env.KEEP_STACK_LOGS)
      rmSync(runDir, { recursive: true, force: true });
  };

  try {
    await waitForOutput(/The anchor is running/, 240_000);
    await waitForOutput(/\[supervisor\] running: .*\n/, 10_000);
    db = createDb({ url: env.DATABASE_URL!, poolSize: 4 });
    pool = new pg.Pool({ connectionString: env.DATABASE_URL!, max: 2 });
    pool.on('error', () => {});
    connection = await Connection.connect({ address: temporalAddress });
    const livePool = pool;
    const temporal = new Client({ connection, namespace: 'default' });
    let workerKills = 0;
    const killService = async (name: string, signal: NodeJS.Signals = 'SIGKILL') => {
      const pid = current.get(name);
      if (!pid) throw new Error(`no pid for ${name}; known: ${[...current.keys()].join(', ')}`);
      process.kill(pid, signal);
      await until(() => !alive(pid), 30_000, `${name} (pid ${pid}) to exit`);
      return pid;
    };
    return {
      publicUrl,
      apiUrls: [publicUrl],
      horizonUrl: real.horizon,
      bankUrl: real.bank,
      kycUrl: real.kyc,
      env,
      config,
      db,
      async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
        return (await livePool.query<R>(text, values)).rows;
      },
      horizon: new Horizon.Server(real.horizon, { allowHttp: true }),
      temporal,
      logDir: join(runDir, 'logs'),
      workerCount: 1,
      crashed: () => undefined,
      async killWorker(_i, signal = 'SIGKILL') {
        await killService('worker', signal);
        workerKills++;
      },
      async restartWorker() {
        // The supervisor does it: wait until it says the worker is back.
        await waitForOutput(/\[supervisor\] worker is back/, 120_000, workerKills);
      },
      stop,
      dev,
      runDir,
      temporalAddress,
      output: () => out,
      pids: () => new Map(current),
      everyPid: () => new Set(everyPid),
      waitForOutput,
      killService,
      leftovers: () => processesWith(marker),
      devExited,
    };
  } catch (err) {
    const msg = `${(err as Error).message}\n(run dir ${runDir})`;
    await stop().catch(() => {});
    throw new Error(msg);
  }
}

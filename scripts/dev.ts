/**
 * `npm start`: the whole anchor on one machine with embedded defaults.
 *   setup (first run) → Postgres → Temporal dev server + UI → migrations → simulators → worker → API
 *   → health-ping workflow → list of URLs.
 * Every child is supervised (scripts/lib/supervisor.ts): one that dies is restarted with a back-off and the
 * terminal says so; the rest keep running. Ctrl-C, or SIGINT/SIGTERM/SIGHUP to this process alone, stops every
 * child it started, in reverse order; the children also stop by themselves if this process is killed outright.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppConfig, loadConfigOrExit } from '../config/index.js';
import { loadDotEnv } from '../config/load-env.js';
import { connectTemporalClient } from '../config/temporal.js';
import { healthPingWorkflowId } from '../core/ids.js';
import { createDb, migrateToLatest } from '../db/index.js';
import { healthPingWorkflow } from '../workflows/index.js';
import { issueSandboxOperatorKey, printOperatorKey } from './lib/operator-key.js';
import {
  ANCHOR_HOME,
  ANCHOR_RUN_DIR,
  PG_DATA,
  PG_PORT,
  TEMPORAL_CLI,
  TEMPORAL_UI_PORT,
} from './lib/paths.js';
import { isPortInUse } from './lib/ports.js';
import { ensureDatabase, ensurePostgres, stopPostgres } from './lib/postgres.js';
import { type ManagedProcess, startTsx, waitForHttp } from './lib/proc.js';
import { type ServiceSpec, servicesFor } from './lib/services.js';
import { Supervised } from './lib/supervisor.js';
import { isTemporalUp, startTemporalDevServer, waitForTemporal } from './lib/temporal.js';

const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const step = (s: string) => console.log(`\x1b[1;34m==>\x1b[0m ${s}`);
const notice = (s: string) => console.log(`\x1b[1;33m[supervisor]\x1b[0m ${s}`);
const fail = (s: string): never => {
  console.error(`\x1b[1;31merror:\x1b[0m ${s}`);
  process.exit(1);
};

const LOCK = join(ANCHOR_RUN_DIR, 'dev.pid');
const LOGS = join(ANCHOR_RUN_DIR, 'logs');

function setupNeeded(): boolean {
  return (
    !existsSync('node_modules/.package-lock.json') ||
    !existsSync(TEMPORAL_CLI) ||
    !existsSync(join(PG_DATA, 'PG_VERSION')) ||
    !existsSync(join(ANCHOR_HOME, 'pg_bindir'))
  );
}

function alreadyRunning(): number | undefined {
  if (!existsSync(LOCK)) return undefined;
  const pid = Number(readFileSync(LOCK, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined; // stale lock from a crashed run
  }
}

const logFileOf = (name: string) => join(LOGS, `${name.replace(/\W+/g, '-')}.log`);

function superviseService(svc: ServiceSpec, config: AppConfig): Supervised {
  const logFile = logFileOf(svc.name);
  const readyUrl = svc.readyUrl?.(config);
  return new Supervised({
    name: svc.name,
    spawn: () => startTsx(svc.name, svc.entry, process.env, logFile),
    ...(readyUrl ? { ready: (proc: ManagedProcess) => waitForHttp(readyUrl, proc, 90_000) } : {}),
    ...(svc.afterReady ? { afterRestart: () => svc.afterReady!(config) } : {}),
    say: notice,
  });
}

function superviseTemporal(config: AppConfig): Supervised {
  const logFile = join(LOGS, 'temporal.log');
  const port = Number(config.temporal.address.split(':').pop());
  return new Supervised({
    name: 'Temporal dev server',
    spawn: () => {
      const child = startTemporalDevServer({
        port,
        ...(TEMPORAL_UI_PORT > 0 ? { uiPort: TEMPORAL_UI_PORT } : { headless: true }),
        // The file keeps every workflow across a restart of the server (and of npm start).
        dbFile: join(ANCHOR_RUN_DIR, 'temporal.db'),
        logFile,
        detached: true,
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      return { name: 'Temporal dev server', child, logFile, exited };
    },
    ready: () => waitForTemporal(config.temporal.address, config.temporal.namespace),
    say: notice,
  });
}

async function main() {
  console.log(bold('Stellar Temporal Anchor — starting everything locally'));
  if (setupNeeded()) {
    step('first run: installing what is missing (scripts/setup.sh)');
    const r = spawnSync('bash', ['scripts/setup.sh'], { stdio: 'inherit' });
    if (r.status !== 0) fail('setup failed; see the output above');
  }
  loadDotEnv();
  const config = loadConfigOrExit();
  mkdirSync(LOGS, { recursive: true });

  const other = alreadyRunning();
  if (other) {
    fail(
      `an anchor is already running (pid ${other}) with its API at ${config.api.publicUrl}. Stop it first (Ctrl-C in its terminal, or kill ${other}).`,
    );
  }
  if (await isPortInUse(config.api.port)) {
    fail(`port ${config.api.port} is already in use by another program; free it or set API_PORT`);
  }
  writeFileSync(LOCK, String(process.pid));
  const operatorKey = config.profile === 'sandbox' ? issueSandboxOperatorKey(process.env) : undefined;

  /** Started in this order, stopped in the reverse one; Temporal (when ours) is the first. */
  const children: Supervised[] = [];
  let startedPostgres = false;
  let ownTemporal = false;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step('stopping');
    for (const p of [...children].reverse()) {
      process.stdout.write(`    ${p.name}\n`);
      await p.stop().catch(() => {});
    }
    if (startedPostgres) {
      process.stdout.write('    Postgres\n');
      await stopPostgres();
    }
    rmSync(LOCK, { force: true });
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
  // Whatever goes wrong here, the children are not left behind.
  process.on('uncaughtException', (err) => {
    console.error(`\x1b[1;31merror:\x1b[0m ${err.stack ?? err.message}`);
    void shutdown(1);
  });
  const start = async (child: Supervised) => {
    if (stopping) return;
    children.push(child);
    await child.start();
  };

  try {
    step(`Postgres (127.0.0.1:${PG_PORT})`);
    startedPostgres = await ensurePostgres();
    const dbUrl = new URL(config.db.url);
    if (dbUrl.port === String(PG_PORT)) await ensureDatabase(dbUrl.pathname.slice(1));

    step(`Temporal (${config.temporal.address})`);
    if (await isTemporalUp(config.temporal.address)) {
      console.log('    reusing the server already running there');
    } else {
      ownTemporal = true;
      await start(superviseTemporal(config));
    }

    step('migrations');
    const db = createDb({ url: config.db.url, poolSize: 1 });
    const applied = await migrateToLatest(db).finally(() => db.destroy());
    console.log(`    ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);

    for (const svc of servicesFor(config.profile)) {
      step(svc.name);
      await start(superviseService(svc, config));
      if (svc.afterReady && !stopping) await svc.afterReady(config);
    }
    if (stopping) return;

    step('health-ping workflow (API → Temporal → worker → Postgres)');
    const client = await connectTemporalClient(config);
    const pong = await client.workflow.execute(healthPingWorkflow, {
      taskQueue: config.temporal.taskQueue,
      workflowId: healthPingWorkflowId(new Date()),
      workflowExecutionTimeout: '1 minute',
    });
    await client.connection.close();
    console.log(`    pong from worker ${pong.worker}`);

    printUrls(config, ownTemporal);
    if (operatorKey) printOperatorKey(`${config.api.publicUrl}/admin/console`, operatorKey);
    // The supervised processes, for tools that check on them (and for tests).
    notice(`running: ${children.map((c) => `${c.name} (pid ${c.pid})`).join(', ')}`);
  } catch (err) {
    if (stopping) return;
    console.error(`\x1b[1;31merror:\x1b[0m ${(err as Error).message}`);
    await shutdown(1);
  }
}

function printUrls(config: AppConfig, ownTemporal: boolean) {
  const rows: [string, string][] = [];
  for (const svc of servicesFor(config.profile)) if (svc.url) rows.push([svc.name, svc.url(config)]);
  rows.push(['stellar.toml', `${config.api.publicUrl}/.well-known/stellar.toml`]);
  rows.push(['readiness', `${config.api.publicUrl}/ready`]);
  rows.push([
    'Temporal UI',
    ownTemporal && TEMPORAL_UI_PORT > 0 ? `http://localhost:${TEMPORAL_UI_PORT}` : config.temporal.uiUrl,
  ]);
  rows.push(['logs', LOGS]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${bold(`The anchor is running (profile ${config.profile}).`)}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('\nA process that dies is restarted. Press Ctrl-C to stop everything.');
}

await main();

/**
 * `npm start`: the whole anchor on one machine with embedded defaults.
 *   setup (first run) → Postgres → Temporal dev server + UI → migrations → simulators → worker → API
 *   → health-ping workflow → list of URLs.
 * Ctrl-C stops every child it started, in reverse order.
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
import { ANCHOR_HOME, PG_DATA, PG_PORT, TEMPORAL_CLI } from './lib/paths.js';
import { isPortInUse } from './lib/ports.js';
import { ensureDatabase, ensurePostgres, stopPostgres } from './lib/postgres.js';
import { type ManagedProcess, startTsx, stopProcess, tail, waitForHttp } from './lib/proc.js';
import { servicesFor } from './lib/services.js';
import { isTemporalUp, startTemporalDevServer, waitForTemporal } from './lib/temporal.js';

const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const step = (s: string) => console.log(`\x1b[1;34m==>\x1b[0m ${s}`);
const fail = (s: string): never => {
  console.error(`\x1b[1;31merror:\x1b[0m ${s}`);
  process.exit(1);
};

const LOCK = join(ANCHOR_HOME, 'dev.pid');
const LOGS = join(ANCHOR_HOME, 'logs');
const TEMPORAL_UI_PORT = 8233;

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

  const children: ManagedProcess[] = [];
  let startedPostgres = false;
  let temporal: ManagedProcess | undefined;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step('stopping');
    for (const p of [...children].reverse()) {
      process.stdout.write(`    ${p.name}\n`);
      await stopProcess(p.child);
    }
    if (temporal) {
      process.stdout.write('    Temporal dev server\n');
      await stopProcess(temporal.child);
    }
    if (startedPostgres) {
      process.stdout.write('    Postgres\n');
      await stopPostgres();
    }
    rmSync(LOCK, { force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    step(`Postgres (127.0.0.1:${PG_PORT})`);
    startedPostgres = await ensurePostgres();
    const dbUrl = new URL(config.db.url);
    if (dbUrl.port === String(PG_PORT)) await ensureDatabase(dbUrl.pathname.slice(1));

    step(`Temporal (${config.temporal.address})`);
    if (await isTemporalUp(config.temporal.address)) {
      console.log('    reusing the server already running there');
    } else {
      const port = Number(config.temporal.address.split(':').pop());
      const child = startTemporalDevServer({
        port,
        uiPort: TEMPORAL_UI_PORT,
        dbFile: join(ANCHOR_HOME, 'temporal.db'),
        logFile: join(LOGS, 'temporal.log'),
      });
      temporal = {
        name: 'Temporal',
        child,
        logFile: join(LOGS, 'temporal.log'),
        exited: new Promise((r) => child.once('exit', r)),
      };
      await waitForTemporal(config.temporal.address, config.temporal.namespace);
    }

    step('migrations');
    const db = createDb({ url: config.db.url, poolSize: 1 });
    const applied = await migrateToLatest(db);
    await db.destroy();
    console.log(`    ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);

    for (const svc of servicesFor(config.profile)) {
      step(svc.name);
      const proc = startTsx(
        svc.name,
        svc.entry,
        process.env,
        join(LOGS, `${svc.name.replace(/\W+/g, '-')}.log`),
      );
      children.push(proc);
      proc.exited.then((code) => {
        if (!stopping) {
          console.error(`\n${svc.name} exited (code ${code}):\n${tail(proc.logFile)}`);
          void shutdown(1);
        }
      });
      if (svc.readyUrl) await waitForHttp(svc.readyUrl(config), proc, 90_000);
      if (svc.afterReady) await svc.afterReady(config);
    }

    step('health-ping workflow (API → Temporal → worker → Postgres)');
    const client = await connectTemporalClient(config);
    const pong = await client.workflow.execute(healthPingWorkflow, {
      taskQueue: config.temporal.taskQueue,
      workflowId: healthPingWorkflowId(new Date()),
      workflowExecutionTimeout: '1 minute',
    });
    await client.connection.close();
    console.log(`    pong from worker ${pong.worker}`);

    printUrls(config, Boolean(temporal));
    if (operatorKey) printOperatorKey(`${config.api.publicUrl}/admin/console`, operatorKey);
  } catch (err) {
    console.error(`\x1b[1;31merror:\x1b[0m ${(err as Error).message}`);
    await shutdown(1);
  }
}

function printUrls(config: AppConfig, ownTemporal: boolean) {
  const rows: [string, string][] = [];
  for (const svc of servicesFor(config.profile)) if (svc.url) rows.push([svc.name, svc.url(config)]);
  rows.push(['stellar.toml', `${config.api.publicUrl}/.well-known/stellar.toml`]);
  rows.push(['readiness', `${config.api.publicUrl}/ready`]);
  rows.push(['Temporal UI', ownTemporal ? `http://localhost:${TEMPORAL_UI_PORT}` : config.temporal.uiUrl]);
  rows.push(['logs', LOGS]);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${bold(`The anchor is running (profile ${config.profile}).`)}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('\nPress Ctrl-C to stop everything.');
}

await main();

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keypair } from '@stellar/stellar-sdk';
import { freePort } from '../../../scripts/lib/ports.js';

export interface RunningPolaris {
  /** WEB_AUTH_ENDPOINT */
  endpoint: string;
  version: string;
  server: string;
  /** The gunicorn worker processes' ids (to read their CPU time), when we started them. */
  pids: number[];
  /** Worker processes × threads each. */
  workers: number;
  threads: number;
  stop(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** Runs a command, passing each output line to `log`; rejects with the last lines when it fails. */
function run(cmd: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (!line.trim()) continue;
        log(line);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.once('exit', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed (${code}): ${tail.join(' / ')}`)),
    );
  });
}

/**
 * Creates the venv from PyPI with the pinned versions of requirements.txt when it has no gunicorn yet
 * (a fresh machine). Throws, saying why, when python3 or PyPI is not available.
 */
export async function ensurePolarisVenv(venv: string, log: (line: string) => void): Promise<void> {
  if (existsSync(`${venv}/bin/gunicorn`)) return;
  log(
    `creating the django-polaris venv at ${venv} (python3 -m venv + pip install from PyPI, about a minute)`,
  );
  if (!existsSync(`${venv}/bin/python`)) await run('python3', ['-m', 'venv', venv], log);
  await run(
    `${venv}/bin/python`,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      '-r',
      `${HERE}/requirements.txt`,
    ],
    log,
  );
  if (!existsSync(`${venv}/bin/gunicorn`))
    throw new Error(`pip install finished but ${venv}/bin/gunicorn is missing`);
  log('django-polaris venv ready');
}

/** gunicorn forks its workers from the master: the workers are the ones that serve (and burn the CPU). */
function gunicornWorkerPids(masterPid: number | undefined): number[] {
  if (masterPid === undefined) return [];
  try {
    return readFileSync(`/proc/${masterPid}/task/${masterPid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * django-polaris serving SEP-1 and SEP-10 against `horizonUrl` (see README.md here). Throws an Error whose message
 * says why when no installation is available or it does not come up.
 */
export async function startPolaris(opts: {
  horizonUrl: string;
  passphrase: string;
  /** Progress of a venv being created. */
  log?: (line: string) => void;
}): Promise<RunningPolaris> {
  const external = process.env.SEP10_POLARIS_URL;
  if (external) {
    return {
      endpoint: `${external.replace(/\/+$/, '')}/auth`,
      version: '(external)',
      server: external,
      pids: [],
      workers: 0,
      threads: 0,
      stop: async () => {},
    };
  }
  const venv = process.env.POLARIS_VENV ?? '/tmp/polaris-bench';
  const gunicorn = `${venv}/bin/gunicorn`;
  await ensurePolarisVenv(venv, opts.log ?? (() => {})).catch((err: Error) => {
    throw new Error(`no django-polaris venv at ${venv} and creating it failed: ${err.message}`);
  });
  const version = execFileSync(`${venv}/bin/python`, [
    '-c',
    "import importlib.metadata as m; print(m.version('django-polaris'))",
  ])
    .toString()
    .trim();
  const port = await freePort();
  const hostUrl = `http://127.0.0.1:${port}`;
  // One worker process per core (Python threads share one GIL, so a single process tops out at one core), 8 threads
  // each: the same cores our one Node API process can use.
  const workers = Math.max(1, cpus().length);
  const threads = 8;
  const child: ChildProcess = spawn(
    gunicorn,
    [
      '--workers',
      String(workers),
      '--threads',
      String(threads),
      '--worker-class',
      'gthread',
      '--bind',
      `127.0.0.1:${port}`,
      '--log-level',
      'warning',
      'bench_wsgi:application',
    ],
    {
      cwd: HERE,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        PYTHONPATH: HERE,
        PYTHONDONTWRITEBYTECODE: '1',
        DJANGO_SETTINGS_MODULE: 'bench_settings',
        DJANGO_SECRET_KEY: randomBytes(32).toString('hex'),
        POLARIS_BENCH_DB: `${venv}/db.sqlite3`,
        POLARIS_HOST_URL: hostUrl,
        POLARIS_SIGNING_SEED: Keypair.random().secret(),
        POLARIS_SERVER_JWT_KEY: randomBytes(32).toString('hex'),
        POLARIS_STELLAR_NETWORK_PASSPHRASE: opts.passphrase,
        POLARIS_HORIZON_URI: opts.horizonUrl,
      },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  const probe = `${hostUrl}/auth?account=${Keypair.random().publicKey()}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`gunicorn exited: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
    const ok = await fetch(probe)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('django-polaris did not answer GET /auth within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // Every worker forked (the probe may have been answered by the first alone).
  while (gunicornWorkerPids(child.pid).length < workers && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `${hostUrl}/auth`,
    version,
    server: `gunicorn, ${workers} worker processes × ${threads} threads (one per core)`,
    pids: gunicornWorkerPids(child.pid),
    workers,
    threads,
    stop,
  };
}

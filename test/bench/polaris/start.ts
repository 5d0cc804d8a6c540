import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keypair } from '@stellar/stellar-sdk';
import { freePort } from '../../../scripts/lib/ports.js';

export interface RunningPolaris {
  /** WEB_AUTH_ENDPOINT */
  endpoint: string;
  version: string;
  server: string;
  stop(): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * django-polaris serving SEP-1 and SEP-10 against `horizonUrl` (see README.md here). Throws an Error whose message
 * says why when no installation is available or it does not come up.
 */
export async function startPolaris(opts: {
  horizonUrl: string;
  passphrase: string;
}): Promise<RunningPolaris> {
  const external = process.env.SEP10_POLARIS_URL;
  if (external) {
    return {
      endpoint: `${external.replace(/\/+$/, '')}/auth`,
      version: '(external)',
      server: external,
      stop: async () => {},
    };
  }
  const venv = process.env.POLARIS_VENV ?? '/tmp/polaris-bench';
  const gunicorn = `${venv}/bin/gunicorn`;
  if (!existsSync(gunicorn))
    throw new Error(`no django-polaris venv at ${venv} (see test/bench/polaris/README.md)`);
  const version = execFileSync(`${venv}/bin/python`, [
    '-c',
    "import importlib.metadata as m; print(m.version('django-polaris'))",
  ])
    .toString()
    .trim();
  const port = await freePort();
  const hostUrl = `http://127.0.0.1:${port}`;
  const threads = 16;
  const child: ChildProcess = spawn(
    gunicorn,
    [
      '--workers',
      '1',
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
  return { endpoint: `${hostUrl}/auth`, version, server: `gunicorn, 1 process × ${threads} threads`, stop };
}

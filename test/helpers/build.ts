/**
 * The production build (`npm run build`) into a directory of its own, laid out like the image's /app:
 * package.json, node_modules with the production dependencies only (links into the repository's, as `npm ci
 * --omit=dev` would install them) and dist/. Processes started from it run `node` on the compiled output, with no
 * tsx loader, the way the Dockerfile's runtime stage and docker-compose.yml run them.
 * Used by test/unit/build.test.ts and test/bench/worker-start.bench.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Keypair } from '@stellar/stellar-sdk';
import { inject } from 'vitest';
import { registerNamespace } from '../../scripts/lib/temporal-cluster.js';

const REPO = resolve(import.meta.dirname, '../..');

export interface Build {
  /** The image's /app: package.json, node_modules, dist/. */
  dir: string;
  dist: string;
  tscMs: number;
  bundleMs: number;
  remove(): void;
}

/** Runs a command to completion; rejects with the tail of its output when it fails. */
function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${args.join(' ')} failed (${code}):\n${out}`)),
    );
  });
}

/**
 * The top-level packages `npm ci --omit=dev` installs, from package-lock.json (nested ones come inside their parent's
 * directory; optional ones for other platforms are absent).
 */
export function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev)
    .map(([path]) => path.slice('node_modules/'.length))
    .filter((name) => !name.includes('/node_modules/') && existsSync(join(REPO, 'node_modules', name)));
}

/** The two steps of `npm run build` (package.json), with tsc's outDir moved into a fresh directory. */
export async function buildInto(): Promise<Build> {
  const dir = mkdtempSync(join(tmpdir(), 'anchor-build-'));
  copyFileSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const dist = join(dir, 'dist');
  const t0 = Date.now();
  await run(
    process.execPath,
    [
      join(REPO, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(REPO, 'tsconfig.build.json'),
      '--outDir',
      dist,
    ],
    REPO,
  );
  const t1 = Date.now();
  await run(process.execPath, [join(dist, 'scripts/build-workflows.js')], dir);
  // The build stage had every dependency; the runtime stage has the production ones only.
  rmSync(join(dir, 'node_modules'));
  for (const name of productionPackages()) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', name), link, 'dir');
  }
  return {
    dir,
    dist,
    tscMs: t1 - t0,
    bundleMs: Date.now() - t1,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Started {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the first JSON log line whose msg is `msg`; rejects if the process exits first. */
  logLine(msg: string, timeoutMs: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Starts `command args` in `cwd` with exactly `env` (plus PATH and HOME). */
export function startProcess(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Started {
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const find = (msg: string) => {
    for (const line of out.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.msg === msg) return parsed;
      } catch {
        // a partial line; the next chunk completes it
      }
    }
    return undefined;
  };
  return {
    child,
    output: () => out,
    exited,
    logLine(msg, timeoutMs) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const line = find(msg);
          if (line) {
            done();
            resolvePromise(line);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no "${msg}" log line within ${timeoutMs} ms:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void exited.then((code) => {
          if (!find(msg)) {
            done();
            reject(new Error(`exited (${code}) before "${msg}":\n${out.slice(-3000)}`));
          }
        });
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}

/**
 * The environment of an anchor process on the test run's Postgres and Temporal, in a namespace of its own (so its
 * schedules and observer never touch the default namespace other tests use).
 */
export async function anchorProcessEnv(): Promise<Record<string, string>> {
  const namespace = `build-${randomBytes(4).toString('hex')}`;
  const temporalAddress = inject('temporalAddress');
  await registerNamespace(temporalAddress, namespace, 1);
  return {
    PROFILE: 'sandbox',
    LOG_LEVEL: 'info',
    DATABASE_URL: inject('pgUrl'),
    DATABASE_POOL_SIZE: '2',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: `${namespace}-q`,
    API_HOST: '127.0.0.1',
    DISTRIBUTION_SECRET: Keypair.random().secret(),
    BANK_POLL_INTERVAL_SECONDS: '0',
  };
}

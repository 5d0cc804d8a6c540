/**
 * SEP-10 round trips per second: GET a challenge, sign it, POST it back for a token, over real sockets with
 * keep-alive, N concurrent wallets with funded accounts on the sandbox ledger (so every POST loads signers from
 * Horizon), rate limiting on (each wallet its own client IP via X-Forwarded-For) and the replay store in
 * Postgres. A fixed number of round trips is timed, not a fixed duration.
 *
 * Like for like: our API (`api/main.ts`) and the baseline, django-polaris (the Python reference anchor), each run
 * as their own server process, one at a time, driven by the same client in this process against the same sandbox
 * Horizon. The machine is shared, so the two are measured alternately (A/B/A/B...) and the figure is the median
 * of the per-pair ratios. The client records its own CPU use so a saturated client shows up in the notes.
 * Polaris comes from SEP10_POLARIS_URL, or a venv (POLARIS_VENV, default /tmp/polaris-bench) that start.ts
 * creates from PyPI when missing (see test/bench/polaris/README.md).
 *
 * Env: SEP10_BENCH_CONCURRENCY (16), SEP10_BENCH_ROUND_TRIPS per measurement (1000), SEP10_BENCH_ROUNDS A/B pairs
 * (3), SEP10_BENCH_DB_POOL (the API's DATABASE_POOL_SIZE; default = concurrency, at most 50),
 * SEP10_BENCH_PROFILE_DIR (CPU profiles of the API process and of this client process).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keypair, TransactionBuilder } from '@stellar/stellar-sdk';
import { inject } from 'vitest';
import { freePort } from '../../scripts/lib/ports.js';
import { installNativeEd25519, nativeSign } from '../../stellar/native-ed25519.js';
import { createTestDb } from '../helpers/db.js';
import { startSandboxHorizon } from '../helpers/horizon.js';
import { startPolaris } from './polaris/start.js';
import type { BenchResult } from './types.js';

// The client signs like the API does (node:crypto ed25519, see stellar/native-ed25519.ts; api/main.ts gets it by
// loading the config), so neither side of the measurement pays for the SDK's pure-JS signing.
installNativeEd25519();
const signing = createRequire(import.meta.url)('@stellar/stellar-base/lib/signing.js') as { sign: unknown };
if (signing.sign !== nativeSign) throw new Error('the bench client does not sign with native ed25519');

const CONCURRENCY = Number(process.env.SEP10_BENCH_CONCURRENCY ?? 16);
const ROUND_TRIPS = Number(process.env.SEP10_BENCH_ROUND_TRIPS ?? 1000);
const ROUNDS = Math.max(1, Number(process.env.SEP10_BENCH_ROUNDS ?? 3));
const PROFILE_DIR = process.env.SEP10_BENCH_PROFILE_DIR;
// Our first measured round used to come out 1.5-3x slower than the next (V8 tiering up, the pg pool and Horizon
// sockets still being opened): with 100 warm-up round trips the API's CPU per round trip still fell from 2.2 to
// 1.2 ms over five rounds; after 1,000 it stays within 1.2-1.5 ms. Same warm-up for both servers.
const WARMUP = Number(process.env.SEP10_BENCH_WARMUP ?? 1000);
// Every in-flight round trip holds at most one connection at a time; a smaller pool makes requests queue for one.
const DB_POOL = Number(process.env.SEP10_BENCH_DB_POOL ?? Math.min(50, CONCURRENCY));

export interface Sep10Target {
  /** WEB_AUTH_ENDPOINT */
  endpoint: string;
  passphrase: string;
  /** The server's process ids (every worker process), to read their CPU time. */
  pids?: number[];
}

export interface DriveResult {
  roundTrips: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** CPU seconds per wall second of this (client) process during the run. */
  clientCpu: number;
  /** CPU seconds per wall second of the server processes together, when their pids are known. */
  serverCpu: number | undefined;
}

// One keep-alive socket per wallet, plain node:http: undici's fetch costs the client several times more CPU.
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

function call(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: Record<string, string | undefined> }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        try {
          resolvePromise({ status: res.statusCode ?? 0, json: JSON.parse(text) });
        } catch {
          reject(new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 200)}`));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function roundTrip(target: Sep10Target, wallet: Keypair, ip: string): Promise<void> {
  const get = await call(`${target.endpoint}?account=${wallet.publicKey()}`, 'GET', {
    'X-Forwarded-For': ip,
  });
  const challenge = get.json.transaction;
  if (get.status !== 200 || !challenge) throw new Error(`challenge ${get.status}: ${get.json.error}`);
  const tx = TransactionBuilder.fromXDR(challenge, target.passphrase);
  tx.sign(wallet);
  const body = JSON.stringify({ transaction: tx.toXDR() });
  const post = await call(
    target.endpoint,
    'POST',
    {
      'X-Forwarded-For': ip,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
    },
    body,
  );
  if (post.status !== 200 || !post.json.token) throw new Error(`token ${post.status}: ${post.json.error}`);
}

/** utime + stime of processes together in seconds (Linux /proc), undefined elsewhere. */
function processCpuSeconds(pids: number[] | undefined): number | undefined {
  if (!pids?.length) return undefined;
  try {
    let total = 0;
    for (const pid of pids) {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
    }
    return total;
  } catch {
    return undefined;
  }
}

/** `total` round trips shared by `wallets.length` concurrent clients; any failed round trip fails the run. */
export async function driveRoundTrips(
  target: Sep10Target,
  wallets: Keypair[],
  total: number,
): Promise<DriveResult> {
  let next = 0;
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const server0 = processCpuSeconds(target.pids);
  const started = performance.now();
  await Promise.all(
    wallets.map(async (wallet, i) => {
      const ip = `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      while (next < total) {
        next++;
        const t0 = performance.now();
        await roundTrip(target, wallet, ip);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const server1 = processCpuSeconds(target.pids);
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    roundTrips: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: pick(0.5),
    p95Ms: pick(0.95),
    clientCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    serverCpu: server0 !== undefined && server1 !== undefined ? (server1 - server0) / seconds : undefined,
  };
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `npm run api` (api/main.ts) as its own process, as deployed; resolves once stellar.toml answers. */
async function startApiProcess(
  env: Record<string, string>,
  profileDir = PROFILE_DIR,
): Promise<{ pid: number | undefined; stop(): Promise<void> }> {
  const nodeArgs = (process.env.SEP10_BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'api/main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`api/main.ts exited: ${stderr.trim().split('\n').slice(-2).join(' / ')}`);
    const ok = await fetch(`${env.PUBLIC_URL}/.well-known/stellar.toml`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return { pid: child.pid, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error('api/main.ts did not answer within 90 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Records this process's CPU profile while `fn` runs (SEP10_BENCH_PROFILE_DIR): the client side of the bench. */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(`${PROFILE_DIR}/client-${name}-${Date.now()}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  /** Microseconds on the monotonic clock (the one process.hrtime reads), like every sample's time. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a sample's self time goes: a package, Node's core, one of our directories, GC or V8 itself. */
function profileBucket(frame: { functionName: string; url: string }): string | undefined {
  const { functionName: fn, url } = frame;
  if (fn === '(idle)') return undefined;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'V8 (program)';
  if (fn === '(root)') return undefined;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) {
    const mod = url
      .slice(5)
      .replace(/^internal\//, '')
      .split('/')[0]!
      .replace(/^_/, '');
    return `node:${/^http/.test(mod) ? 'http' : mod}`;
  }
  if (url.startsWith(`file://${REPO}/`) || url.startsWith(`${REPO}/`)) {
    const rel = url.replace('file://', '').slice(REPO.length + 1);
    return `ours: ${rel.split('/').slice(0, 2).join('/')}`;
  }
  return url ? 'other' : `native (${fn || 'anonymous'})`;
}

/** The CPU profile's self time by bucket, the biggest first, as shares of the busy (non-idle) time. */
function summarizeProfile(
  p: CpuProfile,
  roundTrips: number,
  window: { fromUs: number; toUs: number },
): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0;
    // Only the measured round trips: not the process's start (module loading) nor its warm-up.
    if (at < window.fromUs || at > window.toUs) continue;
    const node = byId.get(p.samples[i]!);
    const bucket = node && profileBucket(node.callFrame);
    if (!bucket) continue;
    const dt = p.timeDeltas[i] ?? 0;
    busy += dt;
    self.set(bucket, (self.get(bucket) ?? 0) + dt);
  }
  if (busy === 0) return 'no samples inside the measured window';
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, us]) => `${k} ${((100 * us) / busy).toFixed(0)}%`)
    .join(', ');
  return `${(busy / 1000 / roundTrips).toFixed(2)} ms busy per round trip; self time: ${top}`;
}

/**
 * A CPU profile of our API over `roundTrips` round trips, taken in a second API process after the measured
 * rounds (profiling slows what it measures): where the server's time per round trip goes.
 */
async function profileOurApi(
  env: Record<string, string>,
  passphrase: string,
  wallets: Keypair[],
  roundTrips: number,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sep10-prof-'));
  const window = { fromUs: 0, toUs: 0 };
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = await startApiProcess({ ...env, API_PORT: String(port), PUBLIC_URL: url }, dir);
    try {
      const target: Sep10Target = { endpoint: `${url}/auth`, passphrase, pids: [] };
      await driveRoundTrips(target, wallets, WARMUP);
      window.fromUs = Number(process.hrtime.bigint() / 1000n);
      await driveRoundTrips(target, wallets, roundTrips);
      window.toUs = Number(process.hrtime.bigint() / 1000n);
    } finally {
      await api.stop();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return 'no CPU profile written (the API did not exit cleanly)';
    return summarizeProfile(
      JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile,
      roundTrips,
      window,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const describeRun = (r: DriveResult) =>
  `${r.perSecond.toFixed(0)}/s p50 ${r.p50Ms.toFixed(0)} ms` +
  (r.serverCpu === undefined
    ? ''
    : ` server ${r.serverCpu.toFixed(2)} CPU = ${((1000 * r.serverCpu) / r.perSecond).toFixed(2)} ms/round trip`) +
  ` client CPU ${r.clientCpu.toFixed(2)}`;

export async function benchSep10(): Promise<BenchResult[]> {
  const [horizon, tdb] = await Promise.all([startSandboxHorizon(), createTestDb('bench_sep10')]);
  const passphrase = horizon.passphrase;
  const wallets = Array.from({ length: CONCURRENCY }, () => Keypair.random());
  let polaris: Awaited<ReturnType<typeof startPolaris>> | undefined;
  let api: Awaited<ReturnType<typeof startApiProcess>> | undefined;
  try {
    await Promise.all(wallets.map((w) => horizon.friendbot(w.publicKey())));
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const apiEnv: Record<string, string> = {
      PROFILE: 'sandbox',
      LOG_LEVEL: 'silent',
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      PUBLIC_URL: apiUrl,
      HORIZON_URL: horizon.url,
      DATABASE_URL: `${tdb.url}?options=${encodeURIComponent(`-c search_path=${tdb.schema}`)}`,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      SEP10_RATE_LIMIT_MAX: '1000000',
      TRUSTED_PROXY_HOPS: '1',
      DATABASE_POOL_SIZE: String(DB_POOL),
    };
    api = await startApiProcess(apiEnv);
    const ours: Sep10Target = {
      endpoint: `${apiUrl}/auth`,
      passphrase,
      pids: api.pid === undefined ? [] : [api.pid],
    };

    let baselineNote = '';
    polaris = await startPolaris({
      horizonUrl: horizon.url,
      passphrase,
      log: (line) => console.log(`[polaris venv] ${line}`),
    }).catch((err: Error) => {
      baselineNote = `django-polaris not measured: ${err.message}`;
      return undefined;
    });
    const theirs: Sep10Target | undefined = polaris && {
      endpoint: polaris.endpoint,
      passphrase,
      pids: polaris.pids,
    };

    await driveRoundTrips(ours, wallets, WARMUP);
    if (theirs) await driveRoundTrips(theirs, wallets, WARMUP);
    const oursRuns: DriveResult[] = [];
    const theirRuns: DriveResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      oursRuns.push(await profiled('ours', () => driveRoundTrips(ours, wallets, ROUND_TRIPS)));
      if (theirs)
        theirRuns.push(await profiled('polaris', () => driveRoundTrips(theirs, wallets, ROUND_TRIPS)));
    }
    await api.stop();
    api = undefined;
    const profile = await profileOurApi(apiEnv, passphrase, wallets, ROUND_TRIPS).catch(
      (err: Error) => `not profiled: ${err.message}`,
    );
    const figure = median(oursRuns.map((r) => r.perSecond));
    const ratios = theirRuns.map((t, i) => oursRuns[i]!.perSecond / t.perSecond);
    const serverDesc = `one Node process, Postgres pool ${DB_POOL}`;
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
    const notes = [
      `ours: api/main.ts, ${serverDesc}, Postgres rate limit + replay store, signers from the sandbox Horizon; runs ${oursRuns.map(describeRun).join('; ')}.`,
      theirs
        ? `django-polaris ${polaris!.version} (${polaris!.server}, no replay store or rate limit): runs ${theirRuns.map(describeRun).join('; ')}. Alternated A/B ${ROUNDS}×; ratio = median of per-pair ratios (${ratios.map((r) => r.toFixed(2)).join(', ')}; spread ${spread(ratios)}).`
        : baselineNote,
      `${theirs ? (median(ratios) >= 3 ? 'Target met.' : 'Target NOT met.') : ''} Profile of our API (a second process, after the measured rounds, ${ROUND_TRIPS} round trips): ${profile}.`,
    ];
    const results: BenchResult[] = [
      {
        name: `SEP-10 GET challenge + sign + POST token, ${CONCURRENCY} wallets, ${ROUND_TRIPS} round trips × ${ROUNDS}, server and client in separate processes; Polaris with one worker process per core`,
        figure,
        unit: 'round trips/s',
        ...(theirs
          ? {
              baseline: median(theirRuns.map((r) => r.perSecond)),
              baselineName: `django-polaris, ${polaris!.workers} workers × ${polaris!.threads} threads`,
              ratio: median(ratios),
            }
          : {}),
        target: '≥ 3× django-polaris on equal CPU (#16)',
        notes: notes.join(' '),
      },
    ];
    // The sturdier figure on a shared machine: server CPU per round trip (both sides may use every core).
    const cpuMs = (r: DriveResult) =>
      r.serverCpu === undefined ? undefined : (1000 * r.serverCpu) / r.perSecond;
    const oursCpu = oursRuns.map(cpuMs).filter((x): x is number => x !== undefined);
    const theirCpu = theirRuns.map(cpuMs).filter((x): x is number => x !== undefined);
    if (oursCpu.length === oursRuns.length && theirs && theirCpu.length === theirRuns.length) {
      const cpuRatios = theirCpu.map((t, i) => t / oursCpu[i]!);
      results.push({
        name: 'SEP-10 server CPU per round trip (lower is better)',
        figure: median(oursCpu),
        unit: 'CPU ms/round trip',
        baseline: median(theirCpu),
        baselineName: `django-polaris, all ${polaris!.workers} workers`,
        ratio: median(cpuRatios),
        target: '≥ 3× less CPU than django-polaris',
        notes: `ratio = Polaris CPU ÷ ours, median of the ${ROUNDS} alternated pairs (${cpuRatios.map((r) => r.toFixed(2)).join(', ')}; spread ${spread(cpuRatios)}); ours ${spread(oursCpu)} ms, Polaris ${spread(theirCpu)} ms (utime + stime of every server process over the run).`,
      });
    }
    return results;
  } finally {
    await polaris?.stop();
    await api?.stop();
    agent.destroy();
    await tdb.destroy();
    await horizon.stop();
  }
}

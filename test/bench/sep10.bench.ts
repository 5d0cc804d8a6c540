/**
 * SEP-10 round trips per second: GET a challenge, sign it, POST it back for a token, over real sockets with
 * keep-alive, N concurrent wallets with funded accounts on the sandbox ledger (so every POST loads signers from
 * Horizon), rate limiting on (each wallet its own client IP via X-Forwarded-For) and the replay store in
 * Postgres. A fixed number of round trips is timed, not a fixed duration.
 *
 * The baseline is django-polaris, the Python reference anchor, measured by the same client on the same machine
 * when a prepared installation is found (SEP10_POLARIS_URL=http://host:port of a running Polaris, or a venv at
 * /tmp/polaris-bench, see test/bench/polaris/README.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerType, serve } from '@hono/node-server';
import { Keypair, TransactionBuilder } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { freePort } from '../../scripts/lib/ports.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb } from '../helpers/db.js';
import { startSandboxHorizon } from '../helpers/horizon.js';
import { startPolaris } from './polaris/start.js';
import type { BenchResult } from './types.js';

const CONCURRENCY = Number(process.env.SEP10_BENCH_CONCURRENCY ?? 16);
const ROUND_TRIPS = Number(process.env.SEP10_BENCH_ROUND_TRIPS ?? 600);
const WARMUP = Math.min(50, ROUND_TRIPS);

export interface Sep10Target {
  /** WEB_AUTH_ENDPOINT */
  endpoint: string;
  passphrase: string;
}

export interface DriveResult {
  roundTrips: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
}

async function roundTrip(target: Sep10Target, wallet: Keypair, ip: string): Promise<void> {
  const headers = { 'X-Forwarded-For': ip };
  const get = await fetch(`${target.endpoint}?account=${wallet.publicKey()}`, { headers });
  const challenge = (await get.json()) as { transaction?: string; error?: string };
  if (get.status !== 200 || !challenge.transaction)
    throw new Error(`challenge ${get.status}: ${challenge.error}`);
  const tx = TransactionBuilder.fromXDR(challenge.transaction, target.passphrase);
  tx.sign(wallet);
  const post = await fetch(target.endpoint, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ transaction: tx.toXDR() }),
  });
  const token = (await post.json()) as { token?: string; error?: string };
  if (post.status !== 200 || !token.token) throw new Error(`token ${post.status}: ${token.error}`);
}

/** `total` round trips shared by `wallets.length` concurrent clients; any failed round trip fails the run. */
export async function driveRoundTrips(
  target: Sep10Target,
  wallets: Keypair[],
  total: number,
): Promise<DriveResult> {
  let next = 0;
  const latencies: number[] = [];
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
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    roundTrips: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: pick(0.5),
    p95Ms: pick(0.95),
  };
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `npm run api` (api/main.ts) as its own process on `port`, as deployed; resolves once stellar.toml answers. */
async function startApiProcess(env: Record<string, string>): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.SEP10_BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
      '--import',
      'tsx',
      'api/main.ts',
    ],
    {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
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
    if (ok) return { stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error('api/main.ts did not answer within 90 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function benchSep10(): Promise<BenchResult[]> {
  const [horizon, tdb] = await Promise.all([startSandboxHorizon(), createTestDb('bench_sep10')]);
  const connection = Connection.lazy({ address: inject('temporalAddress') });
  const port = await freePort();
  const config = testConfig({
    HORIZON_URL: horizon.url,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    API_PORT: String(port),
    SEP10_RATE_LIMIT_MAX: '1000000',
    TRUSTED_PROXY_HOPS: '1',
    DATABASE_POOL_SIZE: '10',
  });
  const app = createApp({
    config,
    db: tdb.db,
    temporal: new Client({ connection }),
    logger: createLogger('bench', 'silent'),
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
  });
  const wallets = Array.from({ length: CONCURRENCY }, () => Keypair.random());
  let polaris: Awaited<ReturnType<typeof startPolaris>> | undefined;
  let apiProcess: { stop(): Promise<void> } | undefined;
  try {
    await Promise.all(wallets.map((w) => horizon.friendbot(w.publicKey())));
    const target = { endpoint: `${config.api.publicUrl}/auth`, passphrase: config.stellar.networkPassphrase };
    await driveRoundTrips(target, wallets, WARMUP);
    const inProcess = await driveRoundTrips(target, wallets, ROUND_TRIPS);

    // The same API as its own process, like Polaris below: the client and the sandbox Horizon then no longer
    // share its event loop.
    let separate: DriveResult | undefined;
    let separateNote = '';
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    apiProcess = await startApiProcess({
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
    }).catch((err: Error) => {
      separateNote = `not measured: ${err.message}`;
      return undefined;
    });
    if (apiProcess) {
      const processTarget = { endpoint: `${apiUrl}/auth`, passphrase: config.stellar.networkPassphrase };
      await driveRoundTrips(processTarget, wallets, WARMUP);
      separate = await driveRoundTrips(processTarget, wallets, ROUND_TRIPS);
    }

    let baseline: DriveResult | undefined;
    let baselineNote = '';
    polaris = await startPolaris({ horizonUrl: horizon.url, passphrase: horizon.passphrase }).catch(
      (err: Error) => {
        baselineNote = `django-polaris not measured: ${err.message}`;
        return undefined;
      },
    );
    if (polaris) {
      const polarisTarget = { endpoint: polaris.endpoint, passphrase: horizon.passphrase };
      await driveRoundTrips(polarisTarget, wallets, WARMUP);
      baseline = await driveRoundTrips(polarisTarget, wallets, ROUND_TRIPS);
      baselineNote =
        `django-polaris ${polaris.version} (${polaris.server}, no replay store or rate limit): ` +
        `p50 ${baseline.p50Ms.toFixed(0)} ms, p95 ${baseline.p95Ms.toFixed(0)} ms.`;
    }
    const versus = (ours: DriveResult) =>
      baseline
        ? {
            baseline: baseline.perSecond,
            baselineName: 'django-polaris',
            ratio: ours.perSecond / baseline.perSecond,
          }
        : {};
    const ourWork = 'Postgres rate limit + replay store, signers from the sandbox Horizon';
    const results: BenchResult[] = [
      {
        name: `SEP-10 GET challenge + sign + POST token, API in-process with client and Horizon, ${CONCURRENCY} wallets, ${inProcess.roundTrips} round trips`,
        figure: inProcess.perSecond,
        unit: 'round trips/s',
        ...versus(inProcess),
        notes:
          `${ourWork}; p50 ${inProcess.p50Ms.toFixed(0)} ms, p95 ${inProcess.p95Ms.toFixed(0)} ms. ${baselineNote}`.trim(),
      },
    ];
    if (separate) {
      results.push({
        name: `SEP-10 round trips, API as its own process (api/main.ts, like Polaris), ${CONCURRENCY} wallets, ${separate.roundTrips} round trips`,
        figure: separate.perSecond,
        unit: 'round trips/s',
        ...versus(separate),
        notes: `one Node process; ${ourWork}; p50 ${separate.p50Ms.toFixed(0)} ms, p95 ${separate.p95Ms.toFixed(0)} ms.`,
      });
    } else {
      results[0]!.notes += ` Separate-process run ${separateNote}`;
    }
    return results;
  } finally {
    await polaris?.stop();
    await apiProcess?.stop();
    await new Promise((r) => server.close(r));
    await connection.close().catch(() => {});
    await tdb.destroy();
    await horizon.stop();
  }
}

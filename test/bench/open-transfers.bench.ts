/**
 * 10,000 open transfers on one worker (#16 item 6), with an API process beside it: the production worker entry (`node --import tsx
 * worker/main.ts`, with the test run's pre-built workflow bundle) as a child process, in a Temporal namespace and
 * a Postgres schema of its own, with N deposit workflows open at pending_user_transfer_start (waiting for the bank
 * transfer). The deposits are started the way the SEP-6 front starts them (core/transfers/start.ts): the
 * `incomplete` row inserted first, then signal-with-start of depositWorkflow with depositWorkflowInput(), the
 * front's search attributes and `interactiveCompleted`, for a KYC-accepted customer; only the HTTP in front is
 * left out (50 starts in flight), so 10,000 open in minutes instead of the ~20 the API's rate would take.
 *
 * At 1,000 and at OPEN_TRANSFERS_MAX (10,000) open: the worker's RSS (/proc/<pid>/status VmRSS, the median of 5
 * samples a second apart once every deposit is waiting; the worker's cache is WORKER_MAX_CACHED_WORKFLOWS, default
 * 1000), a visibility query on the anchor's search attributes (count and the first page of 100 of
 * `TransactionStatus = 'pending_user_transfer_start'`, median of 5) and the bank poller's passes (the Schedule every
 * BANK_POLL_SECONDS against a sandbox bank, on the same task queue as the deposits). Every workflow is terminated
 * at the end (a batch operation), the schedules deleted, the schema dropped.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Keypair } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { inject } from 'vitest';
import type { Sep10Identity } from '../../api/sep10/jwt.js';
import { depositWorkflowInput } from '../../api/sep24/deposit.js';
import { transferSearchAttributes } from '../../api/transfer-start.js';
import type { AppConfig } from '../../config/index.js';
import { depositWorkflowId } from '../../core/ids.js';
import { incompleteTransactionRow } from '../../core/transfers/start.js';
import type { NewTransaction } from '../../db/schema.js';
import { freePort } from '../../scripts/lib/ports.js';
import { interactiveCompletedSignal } from '../../workflows/messages.js';
import { adminKey, adminKeysEnv } from '../api/admin-helpers.js';
import { startTestBank } from '../helpers/bank.js';
import { anchorProcessEnv, type Started, startProcess } from '../helpers/build.js';
import { testConfig } from '../helpers/config.js';
import { insertVerifiedCustomer } from '../helpers/customers.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startSandboxHorizon } from '../helpers/horizon.js';
import { median, spread } from './stats.js';
import type { BenchResult } from './types.js';

const MAX = Math.max(2, Number(process.env.OPEN_TRANSFERS_MAX ?? 10_000));
const BASE = Math.min(1000, Math.floor(MAX / 2));
const IN_FLIGHT = 50;
const CHUNK = 100;
const BACKLOG = 200;
const USERS = 50;
const BANK_POLL_SECONDS = 5;
const REPO = resolve(import.meta.dirname, '../..');

interface Level {
  open: number;
  rssMiB: number;
  rssSamples: number[];
  hwmMiB: number;
  apiRssMiB: number;
  apiRssSamples: number[];
  /** Median ms of the API's admin search (first page of 100 waiting deposits) under this level. */
  apiSearchMs: number;
  countMs: number;
  pageMs: number;
  /** Bank poller passes that started while this level was open: duration and lateness against the interval. */
  pollMs: number[];
  pollGapsS: number[];
  reachedAfterS: number;
}

function procStatus(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  if (!line) throw new Error(`no ${key} for ${pid}`);
  return Number(line.split(/\s+/)[1]) / 1024; // kB → MiB
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function benchOpenTransfers(): Promise<BenchResult[]> {
  const tdb: TestDb = await createTestDb('open');
  const horizon = await startSandboxHorizon({ ledgerCloseMs: 1000 });
  const base = await anchorProcessEnv();
  const url = new URL(tdb.url);
  url.searchParams.set('options', `-c search_path=${tdb.schema}`);
  const env: Record<string, string> = {
    ...base,
    DATABASE_URL: url.toString(),
    DATABASE_POOL_SIZE: '10',
    HORIZON_URL: horizon.url,
    DISTRIBUTION_SECRET: Keypair.random().secret(),
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    LOG_LEVEL: 'warn',
  };
  const probeConfig = testConfig(env);
  const bank = await startTestBank(probeConfig, 'http://127.0.0.1:9/webhooks/bank');
  env.BANK_API_URL = bank.url;
  env.BANK_POLL_INTERVAL_SECONDS = String(BANK_POLL_SECONDS);
  const config: AppConfig = testConfig(env);
  const namespace = env.TEMPORAL_NAMESPACE!;
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({ connection, namespace });
  let worker: Started | undefined;
  let api: Started | undefined;
  try {
    const users = Array.from({ length: USERS }, () => Keypair.random().publicKey());
    for (const u of users) await insertVerifiedCustomer(tdb.db, u);
    // LOG_LEVEL=warn keeps 10,000 deposits' info lines out of the pipe; the start line is info, so wait on the
    // schedules instead (the worker creates them right after it is created).
    // OPEN_TRANSFERS_NODE_FLAGS: node flags for the worker (e.g. --max-old-space-size=768, to tell garbage V8 has
    // not collected yet from memory the worker holds).
    const flags = process.env.OPEN_TRANSFERS_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
    worker = startProcess(process.execPath, [...flags, '--import', 'tsx', 'worker/main.ts'], REPO, env);
    const pid = worker.child.pid!;
    const proc = worker;
    await until(
      async () => {
        if (proc.child.exitCode !== null) throw new Error(`worker exited:\n${proc.output().slice(-3000)}`);
        const schedules: string[] = [];
        for await (const s of client.schedule.list()) schedules.push(s.scheduleId);
        return schedules.includes('bank-poller');
      },
      180_000,
      'the worker to create its schedules',
    );

    // The API process beside it (the production entry, same database and namespace): its RSS at each level, while
    // it answers the operator's search over the open deposits and the wallets' /info.
    const operator = adminKey('bench', 'transactions:read');
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    api = startProcess(process.execPath, ['--import', 'tsx', 'api/main.ts'], REPO, {
      ...env,
      API_PORT: String(apiPort),
      PUBLIC_URL: apiUrl,
      ADMIN_API_KEYS: adminKeysEnv([operator]),
    });
    const apiProc = api;
    await until(
      async () => {
        if (apiProc.child.exitCode !== null) throw new Error(`API exited:\n${apiProc.output().slice(-3000)}`);
        return (await fetch(`${apiUrl}/health`).catch(() => undefined))?.ok === true;
      },
      120_000,
      'the API to answer /health',
    );
    const apiLoad = async (): Promise<number[]> => {
      const ms: number[] = [];
      for (let i = 0; i < 20; i++) {
        const a = performance.now();
        const res = await fetch(`${apiUrl}/admin/transactions?status=pending_user_transfer_start&limit=100`, {
          headers: { authorization: `Bearer ${operator.raw}` },
        });
        if (!res.ok) throw new Error(`admin search: ${res.status} ${await res.text()}`);
        const body = (await res.json()) as { transactions: unknown[] };
        if (body.transactions.length !== 100)
          throw new Error(`admin search gave ${body.transactions.length} rows`);
        ms.push(performance.now() - a);
        const info = await fetch(`${apiUrl}/sep24/info`);
        if (!info.ok) throw new Error(`/sep24/info: ${info.status}`);
        await info.arrayBuffer();
      }
      return ms;
    };

    const t0 = Date.now();
    let started = 0;
    const waiting = async () => {
      const r = await sql<{ n: string }>`
        select count(*)::text as n from transactions where status = 'pending_user_transfer_start'`.execute(
        tdb.db,
      );
      return Number(r.rows[0]!.n);
    };
    const openTo = async (target: number) => {
      while (started < target) {
        // At most BACKLOG started and not yet waiting: a longer queue only slows the dev server's every task.
        const open = await waiting();
        if (started - open >= BACKLOG) {
          await sleep(200);
          continue;
        }
        const n = Math.min(CHUNK, target - started);
        const rows = Array.from({ length: n }, (_, j) => {
          const id = randomUUID();
          const account = users[(started + j) % USERS]!;
          return {
            ...incompleteTransactionRow(
              config,
              { sub: account, account },
              {
                id,
                kind: 'deposit',
                account,
                amount: '100',
                onChange: null,
                lang: 'en',
                expiresAt: new Date(Date.now() + config.deposit.expirySeconds * 1000),
              },
            ),
            to_address: account,
            from_address: null,
            memo: null,
            memo_type: null,
            claimable_balance_supported: false,
          } satisfies NewTransaction;
        });
        await tdb.db.insertInto('transactions').values(rows).execute();
        await pool(rows, IN_FLIGHT, async (row) => {
          const identity: Sep10Identity = {
            sub: row.sub,
            account: row.sub_account,
            memo: undefined,
            muxedAccount: undefined,
            clientDomain: undefined,
            homeDomain: undefined,
            jti: row.id,
          };
          await client.workflow.signalWithStart('depositWorkflow', {
            workflowId: depositWorkflowId(row.id),
            taskQueue: config.temporal.taskQueue,
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            args: [
              depositWorkflowInput(config, {
                id: row.id,
                identity,
                account: row.stellar_account,
                memo: null,
                amount: '100',
                claimable: false,
              }),
            ],
            memo: { amount: '100' },
            typedSearchAttributes: transferSearchAttributes(config, 'deposit', row.id, row.stellar_account),
            signal: interactiveCompletedSignal,
            signalArgs: [{ amount: '100', lang: 'en' }],
          });
        });
        started += n;
      }
      await until(async () => (await waiting()) >= target, 3_600_000, `${target} deposits waiting`);
      const query = `TransactionStatus = 'pending_user_transfer_start'`;
      await until(
        async () => (await client.workflow.count(query)).count >= target,
        120_000,
        `visibility to show ${target} waiting`,
      );
    };

    const measure = async (open: number): Promise<Level> => {
      const reachedAfterS = (Date.now() - t0) / 1000;
      const since = new Date();
      const query = `TransactionStatus = 'pending_user_transfer_start'`;
      const countMs: number[] = [];
      const pageMs: number[] = [];
      const rssSamples: number[] = [];
      const apiRssSamples: number[] = [];
      const apiSearchMs = await apiLoad();
      for (let i = 0; i < 5; i++) {
        const a = performance.now();
        const { count } = await client.workflow.count(query);
        countMs.push(performance.now() - a);
        if (count < open) throw new Error(`visibility counted ${count} of ${open}`);
        const b = performance.now();
        let n = 0;
        for await (const _ of client.workflow.list({ query, pageSize: 100 })) if (++n >= 100) break;
        pageMs.push(performance.now() - b);
        rssSamples.push(procStatus(pid, 'VmRSS'));
        apiRssSamples.push(procStatus(apiProc.child.pid!, 'VmRSS'));
        await sleep(1000);
      }
      // Bank poller passes while this level stays open: wait for 3 that started after `since`.
      const passes: { start: Date; close: Date }[] = [];
      await until(
        async () => {
          passes.length = 0;
          for await (const w of client.workflow.list({
            query: `WorkflowType = 'bankPollerWorkflow' AND ExecutionStatus = 'Completed' AND StartTime > '${since.toISOString()}'`,
          })) {
            if (w.closeTime) passes.push({ start: w.startTime, close: w.closeTime });
          }
          return passes.length >= 3;
        },
        120_000,
        'three bank poller passes',
      );
      passes.sort((x, y) => x.start.getTime() - y.start.getTime());
      return {
        open,
        rssMiB: median(rssSamples),
        rssSamples,
        hwmMiB: procStatus(pid, 'VmHWM'),
        apiRssMiB: median(apiRssSamples),
        apiRssSamples,
        apiSearchMs: median(apiSearchMs),
        countMs: median(countMs),
        pageMs: median(pageMs),
        pollMs: passes.map((p) => p.close.getTime() - p.start.getTime()),
        pollGapsS: passes.slice(1).map((p, i) => (p.start.getTime() - passes[i]!.start.getTime()) / 1000),
        reachedAfterS,
      };
    };

    await openTo(BASE);
    const low = await measure(BASE);
    await openTo(MAX);
    const high = await measure(MAX);

    const f = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    const levels = `${BASE} open after ${low.reachedAfterS.toFixed(0)} s, ${MAX} after ${high.reachedAfterS.toFixed(0)} s (started ${IN_FLIGHT} in flight, at most ${BACKLOG} not yet waiting)`;
    return [
      {
        name: `worker RSS with ${MAX} open deposits (waiting for the bank transfer), vs ${BASE}`,
        figure: high.rssMiB,
        unit: 'MiB',
        baseline: low.rssMiB,
        baselineName: `${BASE} open, same worker`,
        ratio: high.rssMiB / low.rssMiB,
        target: '≤ 1.25× (flat)',
        notes:
          `lower is better; the production worker entry as a child process, VmRSS median of 5 samples 1 s apart ` +
          `(${BASE}: ${f(low.rssSamples)}; ${MAX}: ${f(high.rssSamples)} MiB; peak VmHWM ${high.hwmMiB.toFixed(0)} MiB), ` +
          `WORKER_MAX_CACHED_WORKFLOWS=${config.temporal.maxCachedWorkflows}` +
          `${flags.length ? `, node ${flags.join(' ')}` : ''}. ${levels}.`,
      },
      {
        name: `API RSS with ${MAX} open deposits vs ${BASE}, after 20 admin searches and 20 /sep24/info at each level`,
        figure: high.apiRssMiB,
        unit: 'MiB',
        baseline: low.apiRssMiB,
        baselineName: `${BASE} open, same API process`,
        ratio: high.apiRssMiB / low.apiRssMiB,
        target: '≤ 1.25× (flat)',
        notes:
          `lower is better; the production API entry (api/main.ts) as a child process on the same database and ` +
          `namespace, VmRSS median of 5 samples 1 s apart (${BASE}: ${f(low.apiRssSamples)}; ${MAX}: ` +
          `${f(high.apiRssSamples)} MiB). GET /admin/transactions?status=pending_user_transfer_start&limit=100 ` +
          `took ${high.apiSearchMs.toFixed(0)} ms (median of 20) at ${MAX}, ${low.apiSearchMs.toFixed(0)} ms at ${BASE}.`,
      },
      {
        name: `visibility query TransactionStatus='pending_user_transfer_start' at ${MAX} open vs ${BASE}: first page of 100`,
        figure: high.pageMs,
        unit: 'ms',
        baseline: low.pageMs,
        baselineName: `${BASE} open`,
        ratio: high.pageMs / low.pageMs,
        target: 'answers within the poll interval',
        notes:
          `lower is better; medians of 5. The count of the same query: ${high.countMs.toFixed(0)} ms at ${MAX}, ` +
          `${low.countMs.toFixed(0)} ms at ${BASE}. Dev server (SQLite visibility), not a production cluster.`,
      },
      {
        name: `bank poller pass (Schedule every ${BANK_POLL_SECONDS} s, same task queue) at ${MAX} open vs ${BASE}`,
        figure: median(high.pollMs),
        unit: 'ms',
        baseline: median(low.pollMs),
        baselineName: `${BASE} open`,
        ratio: median(high.pollMs) / median(low.pollMs),
        target: `within its ${BANK_POLL_SECONDS} s interval`,
        notes:
          `lower is better; start to close of each bankPollerWorkflow run (${MAX}: ${f(high.pollMs)} ms; ` +
          `${BASE}: ${f(low.pollMs)} ms), gaps between starts ${spread([...high.pollGapsS, ...low.pollGapsS])} s. ` +
          'The sandbox bank reports no transfers: this is the pass itself and its place in the worker queue.',
      },
    ];
  } finally {
    // Terminate every open workflow in the namespace (one batch operation), drop the schedules, then the worker.
    const running = `ExecutionStatus = 'Running'`;
    await connection.workflowService
      .startBatchOperation({
        namespace,
        jobId: `open-transfers-${randomBytes(4).toString('hex')}`,
        visibilityQuery: running,
        reason: 'open-transfers bench done',
        terminationOperation: {},
      })
      .catch((err: Error) => console.error(`[open-transfers] batch terminate: ${err.message}`));
    for await (const s of client.schedule.list()) {
      await client.schedule
        .getHandle(s.scheduleId)
        .delete()
        .catch(() => {});
    }
    await until(
      async () => (await client.workflow.count(running)).count === 0,
      300_000,
      'terminations',
    ).catch((err: Error) => console.error(`[open-transfers] ${err.message}`));
    await api?.stop();
    await worker?.stop();
    await connection.close();
    await bank.close({ dropSchema: true });
    await horizon.stop();
    await tdb.destroy();
  }
}

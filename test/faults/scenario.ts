/**
 * The fault run (issue 15 item 7): the anchor as `npm start` runs it (test/e2e/stack/dev.ts), with a fault proxy
 * (./proxy.ts) between it and each simulator of the outside world (sandbox Horizon, bank, KYC provider), runs
 * SEP-24 deposits and withdrawals end to end the way wallets do, optionally restarting Postgres and the Temporal
 * server mid-run. Every user is verified through SEP-12 (so KYC checks cross the KYC proxy); every fifth
 * withdrawal is above the approval threshold and is rejected by an operator (the refund path), the ones between
 * are approved. `verify` then checks, per transfer and per account, that each ended final and was paid or
 * refunded exactly once.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Keypair, Operation } from '@stellar/stellar-sdk';
import { transactionWorkflowId } from '../../core/ids.js';
import { ANCHOR_HOME } from '../../scripts/lib/paths.js';
import { freePort } from '../../scripts/lib/ports.js';
import { type DevStack, startDevStack } from '../e2e/stack/dev.js';
import { until } from '../e2e/stack/index.js';
import {
  anchoredAsset,
  assetBalance,
  bankTransfer,
  decideWithdrawal,
  formatFixed7,
  fundUsers,
  getTransaction,
  mapLimit,
  parseAmount,
  payWithdrawal,
  postForm,
  type Sep24Tx,
  seededRandom,
  sep10Token,
  startInteractive,
  submitOps,
  waitForStatus,
} from '../e2e/stack/wallet.js';
import { FAULT_KINDS, type FaultProxy, type FaultStats, startFaultProxy } from './proxy.js';

const run = promisify(execFile);

export interface FaultRunOptions {
  label: string;
  deposits: number;
  withdrawals: number;
  /** Share of requests to each simulator that get a fault. */
  rate: number;
  seed: number;
  restartPostgres: boolean;
  restartTemporal: boolean;
  /** Transfers in flight at once. */
  concurrency: number;
  /** Every transfer must be final this long after the first starts (default 30 minutes). */
  finalWithinMs?: number;
}

type Kind = 'deposit' | 'withdraw';
interface Transfer {
  kind: Kind;
  i: number;
  user: Keypair;
  jwt: string;
  id: string;
  amount: string;
  review: 'none' | 'approve' | 'reject';
  final?: Sep24Tx;
  paymentHash?: string;
}

export interface FaultRunReport {
  label: string;
  seed: number;
  rate: number;
  durationMs: number;
  transfers: { deposits: number; withdrawals: number };
  outcomes: Record<string, number>;
  faults: Record<string, FaultStats>;
  /** Activity attempts beyond the first, from the workflows' histories. */
  activityRetries: number;
  /** Wallet-side requests that failed (5xx, refused connection during a restart) and were sent again. */
  walletRetries: number;
  restarts: { postgres?: { atMs: number; tookMs: number }; temporal?: { atMs: number; tookMs: number } };
  supervisorRestarts: string[];
  problems: string[];
}

const START_BALANCE = '500';
const WITHDRAW_FEE = '0.5';
const APPROVAL_THRESHOLD = '50';
const ADMIN_KEY = randomBytes(24).toString('hex');

/** The project's Postgres binaries (setup records them) run as the postgres user when we are root. */
function pgCommand(tool: string, args: string[]): [string, string[]] {
  const bin = join(readFileSync(join(ANCHOR_HOME, 'pg_bindir'), 'utf8').trim(), tool);
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/** A Postgres cluster of its own (scripts/setup.sh's postgres step, aimed elsewhere), so restarting it hurts no one else. */
async function ownCluster(): Promise<{ dataDir: string; port: number; remove(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'anchor-faults-pg-'));
  chmodSync(root, 0o755); // the postgres user reaches its data directory inside
  const dataDir = join(root, 'data');
  const port = await freePort();
  await run('bash', ['scripts/setup.sh', 'postgres'], {
    env: { ...process.env, ANCHOR_PG_DATA: dataDir, ANCHOR_PG_PORT: String(port) },
  });
  return { dataDir, port, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export async function runFaultScenario(opts: FaultRunOptions): Promise<FaultRunReport> {
  const random = seededRandom(opts.seed);
  const problems: string[] = [];
  const proxies: FaultProxy[] = [];
  let walletRetries = 0;
  const cluster = opts.restartPostgres ? await ownCluster() : undefined;
  let stack: DevStack | undefined;
  try {
    stack = await startDevStack({
      ...(cluster ? { postgres: { dataDir: cluster.dataDir, port: cluster.port } } : {}),
      env: {
        WITHDRAW_APPROVAL_THRESHOLD: APPROVAL_THRESHOLD,
        SEP24_WITHDRAW_FEE_FIXED: WITHDRAW_FEE,
        SEP24_DEPOSIT_FEE_FIXED: '0.25',
        ADMIN_API_KEYS: `ops:transactions:read,transactions:write:${createHash('sha256').update(ADMIN_KEY).digest('hex')}`,
        LOG_LEVEL: 'warn',
      },
      upstreams: async (real) => {
        // Faults start once the stack is up (its own start-up is not what is measured).
        const mk = (name: string, target: string) =>
          startFaultProxy({ name, target, rate: 0, random, hangMs: 12_000, slowMs: 1500 }).then((p) => {
            proxies.push(p);
            return p.url;
          });
        return {
          horizon: await mk('horizon', real.horizon),
          bank: await mk('bank', real.bank),
          kyc: await mk('kyc', real.kyc),
        };
      },
    });
    const s = stack;
    const report = await drive(
      s,
      opts,
      proxies,
      random,
      problems,
      (why) => {
        walletRetries++;
        if (process.env.FAULT_VERBOSE) console.log(`[${opts.label}] wallet retry: ${why}`);
      },
      cluster,
    );
    return { ...report, walletRetries };
  } finally {
    await stack?.stop().catch(() => {});
    for (const p of proxies) await p.close();
    cluster?.remove();
  }
}

async function drive(
  s: DevStack,
  opts: FaultRunOptions,
  proxies: FaultProxy[],
  random: () => number,
  problems: string[],
  countRetry: (why: string) => void,
  cluster: { dataDir: string } | undefined,
): Promise<Omit<FaultRunReport, 'walletRetries'>> {
  /** A wallet sends a failed request again (the anchor or a simulator restarting answers 5xx or refuses). */
  async function again<T>(what: string, fn: () => Promise<T>, attempts = 40): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await fn();
      } catch (err) {
        if (n >= attempts) throw new Error(`${what}: ${(err as Error).message}`);
        countRetry(`${what}: ${(err as Error).message.slice(0, 300)}`);
        await new Promise((r) => setTimeout(r, 500 * Math.min(n, 6)));
      }
    }
  }

  const total = opts.deposits + opts.withdrawals;
  const t0 = Date.now();

  // Users: funded, trusting the asset, verified through SEP-12 by the KYC provider (behind its fault proxy).
  const users = await mapLimit(
    Array.from({ length: total }, (_, i) => i),
    8,
    async () => {
      const user = Keypair.random();
      await again('friendbot', async () => {
        const res = await fetch(`${s.horizonUrl}/friendbot?addr=${user.publicKey()}`);
        if (!res.ok && res.status !== 400) throw new Error(`friendbot ${res.status}`);
      });
      await again('trust line', () =>
        submitOps(s, user, [Operation.changeTrust({ asset: anchoredAsset(s) })]),
      );
      return user;
    },
  );
  const withdrawers = users.slice(opts.deposits);
  if (withdrawers.length) await fundUsers(s, withdrawers, START_BALANCE);
  for (const p of proxies) p.setRate(opts.rate);

  const kycPut = async (jwt: string, i: number) => {
    const res = await fetch(`${s.publicUrl}/kyc/customer`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'sep24-deposit',
        first_name: 'Ana',
        last_name: `Fault${i}`,
        email_address: `ana${i}@example.com`,
      }),
    });
    if (res.status !== 202 && res.status !== 200) throw new Error(`PUT /kyc/customer ${res.status}`);
  };
  const kycStatus = async (jwt: string) => {
    const res = await fetch(`${s.publicUrl}/kyc/customer?type=sep24-deposit`, {
      headers: { Authorization: `Bearer ${jwt}` },
    });
    if (!res.ok) throw new Error(`GET /kyc/customer ${res.status}`);
    return ((await res.json()) as { status: string }).status;
  };

  const decide = (id: string, decision: 'approve' | 'reject', timeoutMs: number) =>
    decideWithdrawal(s, ADMIN_KEY, id, decision, { reason: 'fault run', timeoutMs });

  /** Opens a hosted page once (its link is single-use), sending the GET again only when it was answered 5xx. */
  const openPage = (url: string) =>
    again('open page', async () => {
      const res = await fetch(url);
      const html = await res.text();
      if (res.status >= 500) throw new Error(`page ${res.status}`);
      if (res.status !== 200) throw new Error(`page ${res.status}: ${html.slice(0, 200)}`);
      return { url: res.url, html };
    });
  /** Posts a page's form; a 5xx answer (the anchor could not reach Temporal or Postgres) is posted again, as a user would. */
  const post = (page: { url: string; html: string }, values: Record<string, string>) =>
    again('post form', async () => {
      const form = postForm(page.html);
      if (!form) throw new Error(`no form on ${page.url}`);
      const res = await fetch(new URL(form.action, page.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form.fields, ...values }).toString(),
      });
      const html = await res.text();
      if (res.status !== 200) throw new Error(`form ${res.status}: ${pageText(html)}`);
      return { url: res.url, html };
    });
  const depositPages = async (url: string, amount: string) => {
    let page = await post(await openPage(url), { amount });
    return until(
      async () => {
        const ref = /id="bank-reference"[^>]*>\s*([^<\s]+)\s*</.exec(page.html)?.[1];
        if (ref) return ref;
        const res = await fetch(page.url);
        if (res.ok) page = { url: res.url, html: await res.text() };
        return undefined;
      },
      600_000,
      'the bank reference on the instructions page',
    );
  };
  const withdrawPages = async (url: string, amount: string) => {
    const confirm = await post(await openPage(url), {
      amount,
      holder: 'Ana Garcia',
      account: 'ES9121000418450200051332',
    });
    const done = await post(confirm, {});
    if (!done.html.includes('id="done"')) throw new Error(`withdraw confirm: ${done.html.slice(0, 300)}`);
  };

  const bankSent = async (reference: string) =>
    (
      await s.query<{ n: string }>(
        'select count(*)::text as n from sandbox_bank.transfers where reference = $1',
        [reference],
      )
    )[0]!.n !== '0';

  let started = 0;
  let finished = 0;
  const plans = users.map((user, i) => {
    const kind: Kind = i < opts.deposits ? 'deposit' : 'withdraw';
    const w = i - opts.deposits;
    const review: Transfer['review'] =
      kind === 'withdraw' && w % 5 === 4 ? (w % 10 === 9 ? 'approve' : 'reject') : 'none';
    const amount =
      kind === 'deposit'
        ? `${10 + (i % 40)}.${String(1 + ((i * 7919) % 9_999)).padStart(4, '0')}`
        : review === 'none'
          ? `${5 + (w % 40)}.${String(1 + ((w * 104729) % 9_999)).padStart(4, '0')}`
          : `${60 + (w % 20)}.25`;
    return { user, i, kind, review, amount };
  });
  // Interleaved, so deposits and withdrawals run at the same time.
  const order = [...plans].sort(
    (a, b) => (a.i % Math.max(1, opts.deposits)) - (b.i % Math.max(1, opts.deposits)) || a.i - b.i,
  );

  // A transfer not final by the run's deadline is reported as a problem (with the rest of the report), not thrown.
  const deadline = t0 + (opts.finalWithinMs ?? 1_800_000);
  const left = () => Math.max(1000, deadline - Date.now());
  const flows = mapLimit(order, opts.concurrency, async (plan): Promise<Transfer | undefined> => {
    const { user, i, kind, amount, review } = plan;
    try {
      const jwt = await again('SEP-10', () => sep10Token(s, s.publicUrl, user));
      await again('SEP-12 PUT', () => kycPut(jwt, i));
      await until(
        async () => {
          const status = await kycStatus(jwt);
          if (status === 'REJECTED') throw new Error('KYC rejected');
          return status === 'ACCEPTED';
        },
        left(),
        `user ${i} to be verified`,
      );
      const { id, url } = await again('SEP-24 start', () =>
        startInteractive(s.publicUrl, jwt, kind, s.config.stellar.assetCode),
      );
      started++;
      const t: Transfer = { kind, i, user, jwt, id, amount, review };
      if (kind === 'deposit') {
        const reference = await depositPages(url, amount);
        await again('bank transfer', async () => {
          if (await bankSent(reference)) return;
          await bankTransfer(s, reference, amount);
        });
      } else {
        await withdrawPages(url, amount);
        const ready = await waitForStatus(s.publicUrl, jwt, id, ['pending_user_transfer_start'], left());
        const before = await assetBalance(s, user.publicKey());
        t.paymentHash = await again('Stellar payment', async () => {
          if ((await assetBalance(s, user.publicKey())) < before) {
            const mine = await s.horizon
              .payments()
              .forAccount(user.publicKey())
              .order('desc')
              .limit(5)
              .call();
            const sent = mine.records.find(
              (p) => p.type === 'payment' && 'from' in p && p.from === user.publicKey(),
            );
            if (sent) return sent.transaction_hash;
          }
          return payWithdrawal(s, user, ready);
        });
        if (review !== 'none') await decide(id, review, left());
      }
      t.final = await waitForStatus(
        s.publicUrl,
        jwt,
        id,
        ['completed', 'refunded', 'error', 'expired'],
        left(),
      );
      finished++;
      return t;
    } catch (err) {
      problems.push(`${kind} ${i}: ${(err as Error).message.slice(0, 300)}`);
      return undefined;
    }
  });

  // The restarts, mid-run: Temporal once 40 % of the transfers have started, Postgres at 60 %.
  const restarts: FaultRunReport['restarts'] = {};
  const chaos = (async () => {
    if (opts.restartTemporal) {
      await until(() => started >= Math.ceil(total * 0.4), 1_800_000, 'transfers to start');
      const at = Date.now();
      await s.killService('Temporal dev server', 'SIGTERM');
      await s.waitForOutput(/\[supervisor\] Temporal dev server is back/, 120_000);
      restarts.temporal = { atMs: at - t0, tookMs: Date.now() - at };
    }
    if (opts.restartPostgres && cluster) {
      await until(() => started >= Math.ceil(total * 0.6), 1_800_000, 'transfers to start');
      const at = Date.now();
      const [cmd, args] = pgCommand('pg_ctl', [
        '-D',
        cluster.dataDir,
        '-m',
        'fast',
        '-w',
        '-t',
        '60',
        'restart',
        '-l',
        join(cluster.dataDir, 'restart.log'),
      ]);
      await run(cmd, args);
      restarts.postgres = { atMs: at - t0, tookMs: Date.now() - at };
    }
  })();
  const transfers = (await flows).filter((t): t is Transfer => t !== undefined);
  await chaos;
  for (const p of proxies) p.setRate(0);
  const durationMs = Date.now() - t0;

  await verify(s, transfers, problems);
  const outcomes: Record<string, number> = {};
  for (const t of transfers) {
    const key = `${t.kind} ${t.final?.status ?? 'none'}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return {
    label: opts.label,
    seed: opts.seed,
    rate: opts.rate,
    durationMs,
    transfers: { deposits: opts.deposits, withdrawals: opts.withdrawals },
    outcomes,
    faults: Object.fromEntries(proxies.map((p) => [p.name, structuredClone(p.stats)])),
    activityRetries: await activityRetries(s, transfers),
    restarts,
    supervisorRestarts: [
      ...s.output().matchAll(/\[supervisor\] (.+?) (?:killed by|exited with) .*?after/g),
    ].map((m) => m[1]!),
    problems,
  };
}

/** Every transfer final, paid or refunded exactly once, every account's balance exact to the stroop. */
async function verify(s: DevStack, transfers: Transfer[], problems: string[]): Promise<void> {
  const payouts = await s.query<{ idempotency_key: string; amount: string; status: string }>(
    'select idempotency_key, amount::text as amount, status from sandbox_bank.payouts',
  );
  const distribution = s.config.stellar.distributionAccount;
  const asset = s.config.stellar.assetCode;
  const ids = new Set(transfers.map((t) => t.id));
  for (const t of transfers) {
    const name = `${t.kind} ${t.i} (${t.id})`;
    const tx = await getTransaction(s.publicUrl, t.jwt, t.id);
    const ledger = await s.horizon.payments().forAccount(t.user.publicKey()).limit(200).call();
    const fromAnchor = ledger.records.filter(
      (p) =>
        p.type === 'payment' &&
        'from' in p &&
        p.from === distribution &&
        p.to === t.user.publicKey() &&
        p.asset_code === asset,
    );
    const balance = await assetBalance(s, t.user.publicKey());
    const mine = payouts.filter((p) => p.idempotency_key === `payout-${t.id}`);
    const refundsAtBank = payouts.filter((p) => p.idempotency_key.startsWith(`refund-${t.id}`));
    if (t.kind === 'deposit') {
      if (tx.status !== 'completed') problems.push(`${name}: ${tx.status}, expected completed`);
      if (fromAnchor.length !== 1)
        problems.push(`${name}: ${fromAnchor.length} payments from the anchor, expected 1`);
      else if (fromAnchor[0]!.transaction_hash !== tx.stellar_transaction_id)
        problems.push(`${name}: the payment on the ledger is not the one the anchor reports`);
      if (formatFixed7(balance) !== formatFixed7(parseAmount(String(tx.amount_out))))
        problems.push(`${name}: balance ${formatFixed7(balance)} != amount_out ${tx.amount_out}`);
      if (parseAmount(String(tx.amount_in)) !== parseAmount(t.amount))
        problems.push(`${name}: amount_in ${tx.amount_in} != sent ${t.amount}`);
      if (refundsAtBank.length) problems.push(`${name}: refunded at the bank as well`);
    } else if (t.review === 'reject') {
      if (tx.status !== 'refunded') problems.push(`${name}: ${tx.status}, expected refunded`);
      if (mine.length) problems.push(`${name}: ${mine.length} bank payouts, expected none`);
      if (fromAnchor.length !== 1)
        problems.push(`${name}: ${fromAnchor.length} refunds on the ledger, expected 1`);
      else if (
        parseAmount(fromAnchor[0]!.type === 'payment' ? fromAnchor[0]!.amount : '0') !== parseAmount(t.amount)
      )
        problems.push(
          `${name}: refund of ${fromAnchor[0]!.type === 'payment' ? fromAnchor[0]!.amount : '?'}, expected ${t.amount}`,
        );
      if (formatFixed7(balance) !== formatFixed7(parseAmount(START_BALANCE)))
        problems.push(`${name}: balance ${formatFixed7(balance)} != ${START_BALANCE}`);
    } else {
      if (tx.status !== 'completed') problems.push(`${name}: ${tx.status}, expected completed`);
      if (mine.length !== 1) problems.push(`${name}: ${mine.length} bank payouts, expected 1`);
      else {
        if (mine[0]!.status !== 'completed') problems.push(`${name}: payout ${mine[0]!.status}`);
        if (parseAmount(mine[0]!.amount) !== parseAmount(String(tx.amount_out)))
          problems.push(`${name}: payout ${mine[0]!.amount} != amount_out ${tx.amount_out}`);
      }
      if (parseAmount(String(tx.amount_out)) !== parseAmount(t.amount) - parseAmount(WITHDRAW_FEE))
        problems.push(`${name}: amount_out ${tx.amount_out} != ${t.amount} - ${WITHDRAW_FEE}`);
      if (fromAnchor.length)
        problems.push(`${name}: ${fromAnchor.length} refunds on the ledger, expected none`);
      if (formatFixed7(balance) !== formatFixed7(parseAmount(START_BALANCE) - parseAmount(t.amount)))
        problems.push(`${name}: balance ${formatFixed7(balance)} != ${START_BALANCE} - ${t.amount}`);
    }
    if (t.paymentHash && tx.stellar_transaction_id !== t.paymentHash)
      problems.push(
        `${name}: stellar_transaction_id ${tx.stellar_transaction_id} != the wallet's payment ${t.paymentHash}`,
      );
  }
  // No payout belongs to anything but these withdrawals (none doubled under another key).
  for (const p of payouts) {
    const id = p.idempotency_key.replace(/^(payout|refund)-/, '').replace(/-\d+$/, '');
    if (!ids.has(id)) problems.push(`bank payout ${p.idempotency_key} belongs to no transfer of this run`);
  }
}

/** Activity attempts beyond the first in the transfers' workflow histories. */
async function activityRetries(s: DevStack, transfers: Transfer[]): Promise<number> {
  let retries = 0;
  await mapLimit(transfers, 8, async (t) => {
    const workflowId = transactionWorkflowId(t.kind === 'deposit' ? 'deposit' : 'withdrawal', t.id);
    try {
      const history = await s.temporal.workflow.getHandle(workflowId).fetchHistory();
      for (const e of history.events ?? []) {
        const attempt = e.activityTaskStartedEventAttributes?.attempt;
        if (attempt && attempt > 1) retries += attempt - 1;
      }
    } catch {
      // a workflow id scheme of another kind: counted as none
    }
  });
  return retries;
}

/** What a hosted page says, without its markup (the error summary of a refused form). */
function pageText(html: string): string {
  const body = html.slice(Math.max(0, html.indexOf('<main')));
  return body
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 240);
}

export function formatReport(r: FaultRunReport): string {
  const faults = Object.entries(r.faults)
    .map(
      ([name, st]) =>
        `${name}: ${st.requests} requests, ${FAULT_KINDS.map((k) => `${k} ${st.faults[k]}`).join(', ')} (${st.afterUpstream} after the simulator applied it)`,
    )
    .join('\n  ');
  return [
    `[${r.label}] seed ${r.seed}, rate ${r.rate}, ${r.transfers.deposits} deposits + ${r.transfers.withdrawals} withdrawals in ${(r.durationMs / 1000).toFixed(0)} s`,
    `  ${faults}`,
    `  outcomes: ${JSON.stringify(r.outcomes)}`,
    `  activity retries ${r.activityRetries}, wallet retries ${r.walletRetries}`,
    `  restarts: ${JSON.stringify(r.restarts)}; supervisor restarted: ${r.supervisorRestarts.join(', ') || 'nothing'}`,
    `  problems: ${r.problems.length ? r.problems.join('\n    ') : 'none'}`,
  ].join('\n');
}

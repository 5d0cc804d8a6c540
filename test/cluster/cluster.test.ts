import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keypair } from '@stellar/stellar-sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgUrl } from '../../scripts/lib/paths.js';
import {
  buildTemporalServer,
  dropClusterDatabases,
  isTemporalServerBuilt,
  startTemporalCluster,
  TEMPORAL_SERVER,
  type TemporalCluster,
} from '../../scripts/lib/temporal-cluster.js';
import { observerWorkflowId } from '../../worker/observers.js';
import { type Stack, startStack, until } from '../e2e/stack/index.js';
import {
  assetBalance,
  bankTransfer,
  completeDepositPages,
  completeWithdrawPages,
  formatFixed7,
  fundUsers,
  mapLimit,
  parseAmount,
  payWithdrawal,
  seededRandom,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from '../e2e/stack/wallet.js';

/**
 * Issue 16 items 1–2: the anchor on a self-hosted Temporal cluster — two Temporal server processes (every service
 * in each) on Postgres persistence and visibility, behind the balancer `npm run cluster` uses, with two API and two
 * worker processes. Concurrent deposits and withdrawals run while one Temporal node is SIGKILLed and later brought
 * back: every transfer completes exactly once with exact balances, each observer runs once, and the bank poller's
 * schedule keeps firing once per tick.
 *
 * CLUSTER_TRANSFERS (default 40: what CI affords in about two minutes; the figure is 200) is split between
 * deposits and withdrawals, all in flight at once. CLUSTER_SEED replays a run's choice of node to kill.
 * Skipped (with a message) when the server is not built and CI is unset; under CI it is built (cached) or fails.
 */
const TRANSFERS = Number(process.env.CLUSTER_TRANSFERS ?? 40);
const DEPOSITS = Math.ceil(TRANSFERS / 2);
const WITHDRAWALS = TRANSFERS - DEPOSITS;
const START_BALANCE = '100';
const DEPOSIT_FEE = '0.1';
const WITHDRAW_FEE = '0.5';

// Part of `npm test` once the server is built (npm run cluster builds and caches it; under CI this test builds it
// itself). ANCHOR_CLUSTER_TEST=0 skips it. The earlier slow starts were hosted pages refusing three-place amounts.
const optedOut = process.env.ANCHOR_CLUSTER_TEST === '0';
const runnable = !optedOut && (isTemporalServerBuilt() || !!process.env.CI);
if (!runnable) {
  console.warn(
    optedOut
      ? '[cluster] SKIPPED: ANCHOR_CLUSTER_TEST=0.'
      : `[cluster] SKIPPED: no Temporal server binary at ${TEMPORAL_SERVER}. Run "npm run cluster" once to build it ` +
          '(about 7 minutes, then cached); under CI this test builds it itself.',
  );
}

describe.skipIf(!runnable)('a 2-node Temporal cluster under 2 APIs and 2 workers (issue 16)', () => {
  let cluster: TemporalCluster;
  let stack: Stack;
  const id = Math.random().toString(36).slice(2, 8);
  const databases = { default: `temporal_ct_${id}`, visibility: `temporal_ct_${id}_vis` };
  const seed = Number(process.env.CLUSTER_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seededRandom(seed);

  beforeAll(async () => {
    console.log(`[cluster] ${TRANSFERS} transfers, seed ${seed} (replay with CLUSTER_SEED=${seed})`);
    await buildTemporalServer((line) => console.log(`[cluster build] ${line}`));
    cluster = await startTemporalCluster({
      nodes: 2,
      shards: 4,
      databases,
      dir: mkdtempSync(join(tmpdir(), `anchor-cluster-${id}-`)),
      retentionDays: 1,
    });
    stack = await startStack({
      apis: 2,
      workers: 2,
      temporalAddress: cluster.address,
      env: {
        SEP24_DEPOSIT_FEE_FIXED: DEPOSIT_FEE,
        SEP24_WITHDRAW_FEE_FIXED: WITHDRAW_FEE,
        // Webhooks and the poller's schedule both: the schedule is the singleton whose ticks are checked below.
        BANK_POLL_INTERVAL_SECONDS: '2',
      },
    });
  }, 1_200_000); // a first CI run builds the server (about 7 minutes on 2 cores)

  afterAll(async () => {
    await stack?.stop();
    await cluster?.stop();
    await dropClusterDatabases(databases).catch(() => {});
  }, 120_000);

  /** Raw SQL on the cluster's own persistence database. */
  async function temporalDb<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
    const client = new pg.Client({ connectionString: pgUrl(databases.default) });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  }

  it('the two server processes form one cluster: each service has a live host on both nodes (issue 16)', async () => {
    const rows = await until(
      async () => {
        const live = await temporalDb<{ role: number; rpc_port: number }>(
          // Timestamps without time zone, written in UTC.
          `select role, rpc_port from cluster_membership
           where record_expiry > now() at time zone 'utc'
             and last_heartbeat > now() at time zone 'utc' - interval '30 seconds'`,
        );
        const byRole = new Map<number, Set<number>>();
        for (const r of live) byRole.set(r.role, (byRole.get(r.role) ?? new Set()).add(r.rpc_port));
        // Frontend, history, matching, worker: four roles, two hosts each.
        return byRole.size === 4 && [...byRole.values()].every((hosts) => hosts.size === 2)
          ? byRole
          : undefined;
      },
      60_000,
      'both nodes in cluster_membership for every service',
    );
    // Each host is a node's membership (ringpop) address.
    const servicePorts = new Set(
      cluster.nodes.flatMap((n) => [
        n.ports.frontendMembership,
        n.ports.historyMembership,
        n.ports.matchingMembership,
        n.ports.workerMembership,
      ]),
    );
    for (const hosts of rows.values()) for (const port of hosts) expect(servicePorts.has(port)).toBe(true);
  });

  it(`${TRANSFERS} concurrent deposits and withdrawals survive a SIGKILLed Temporal node: each completes exactly once (S24-12, S24-14, S24-29, issue 16)`, async () => {
    const users = await mapLimit(Array.from({ length: TRANSFERS }), 10, () => walletUser(stack));
    const depositors = users.slice(0, DEPOSITS);
    const withdrawers = users.slice(DEPOSITS);
    await fundUsers(stack, withdrawers, START_BALANCE);
    const depositAmounts = depositors.map((_, i) => `${5 + i}.${String(i * 131).padStart(4, '0')}`);
    // Four places: three ("25.105") could be a thousands group on an English page, which refuses it as ambiguous.
    const withdrawAmounts = withdrawers.map(
      (_, i) => `${10 + (i % 50)}.${String((i * 7) % 10_000).padStart(4, '0')}`,
    );

    let started = 0; // the user's side is done: bank transfer sent, or Stellar payment submitted
    let finished = 0;
    const api = (i: number) => stack.apiUrls[i % stack.apiUrls.length]!;

    const deposit = async (user: Keypair, i: number) => {
      const jwt = await sep10Token(stack, api(i), user);
      const { id, url } = await startInteractive(api(i), jwt, 'deposit', stack.config.stellar.assetCode);
      const reference = await completeDepositPages(url, depositAmounts[i]!);
      await bankTransfer(stack, reference, depositAmounts[i]!);
      started++;
      const tx = await waitForStatus(api(i), jwt, id, ['completed', 'error', 'refunded'], 300_000);
      finished++;
      return { user, tx };
    };
    const withdraw = async (user: Keypair, i: number) => {
      const jwt = await sep10Token(stack, api(i + 1), user);
      const { id, url } = await startInteractive(api(i + 1), jwt, 'withdraw', stack.config.stellar.assetCode);
      await completeWithdrawPages(url, withdrawAmounts[i]!);
      const ready = await waitForStatus(api(i + 1), jwt, id, ['pending_user_transfer_start'], 240_000);
      const paymentHash = await payWithdrawal(stack, user, ready);
      started++;
      const tx = await waitForStatus(api(i + 1), jwt, id, ['completed', 'error', 'refunded'], 300_000);
      finished++;
      return { user, tx, paymentHash };
    };
    const flows = Promise.all([
      mapLimit(depositors, TRANSFERS, deposit),
      mapLimit(withdrawers, TRANSFERS, withdraw),
    ]);
    // Make an early failure of the flows visible instead of a timeout of the waits below.
    let flowError: unknown;
    flows.catch((err) => {
      flowError = err;
    });
    const progress = (check: () => boolean) => () => {
      if (flowError) throw flowError;
      const dead = cluster.crashed() ?? stack.crashed();
      if (dead) throw new Error(dead);
      return check();
    };

    // Mid-run: a third of the users have paid, the rest are still opening or paying.
    const victim = Math.floor(random() * 2);
    await until(
      progress(() => started >= Math.ceil(TRANSFERS / 3)),
      300_000,
      'a third of the transfers to start',
    );
    const inFlightAtKill = started - finished;
    await cluster.killNode(victim, 'SIGKILL');
    const killedAt = Date.now();
    // The survivor carries on alone (its history shards taken over): transfers keep completing while the node is
    // down, or all of them have.
    const finishedAtKill = finished;
    await until(
      progress(
        () => finished >= Math.min(TRANSFERS, finishedAtKill + Math.max(2, Math.ceil(TRANSFERS / 10))),
      ),
      240_000,
      `transfers to complete on the surviving node (finished ${finishedAtKill} at the kill)`,
    );
    const downMs = Date.now() - killedAt;
    await cluster.startNode(victim);
    const restartedAt = new Date();
    console.log(
      `[cluster] SIGKILL node ${victim} with ${inFlightAtKill} transfers in flight; down ${downMs} ms, ` +
        `${finished - finishedAtKill} completed meanwhile`,
    );
    const [deposits, withdrawals] = await flows;

    // Deposits: one credit each on the ledger, the amount less the fee.
    for (const [i, r] of deposits.entries()) {
      expect(r.tx.status, `deposit ${i}`).toBe('completed');
      const out = parseAmount(String(r.tx.amount_out));
      expect(out, `deposit ${i}`).toBe(parseAmount(depositAmounts[i]!) - parseAmount(DEPOSIT_FEE));
      expect(formatFixed7(await assetBalance(stack, r.user.publicKey())), `depositor ${i}`).toBe(
        formatFixed7(out),
      );
      const payments = await stack.horizon.payments().forAccount(r.user.publicKey()).limit(200).call();
      const credits = payments.records.filter(
        (p) => p.type === 'payment' && 'to' in p && p.to === r.user.publicKey(),
      );
      expect(credits, `depositor ${i}: one credit`).toHaveLength(1);
    }

    // Withdrawals: one bank payout each, no refund, the user's payment recorded once by the observer.
    const payouts = await stack.query<{ idempotency_key: string; amount: string; status: string }>(
      'select idempotency_key, amount::text as amount, status from sandbox_bank.payouts',
    );
    const received = await stack.db
      .selectFrom('received_payments')
      .select(['transaction_hash', 'operation_id'])
      .execute();
    const distribution = stack.config.stellar.distributionAccount;
    for (const [i, r] of withdrawals.entries()) {
      expect(r.tx.status, `withdrawal ${i}`).toBe('completed');
      expect(r.tx.stellar_transaction_id).toBe(r.paymentHash);
      const amountOut = parseAmount(String(r.tx.amount_out));
      expect(amountOut).toBe(parseAmount(withdrawAmounts[i]!) - parseAmount(WITHDRAW_FEE));
      const mine = payouts.filter((p) => p.idempotency_key === `payout-${r.tx.id}`);
      expect(mine, `withdrawal ${i}: one payout`).toHaveLength(1);
      expect(mine[0]!.status).toBe('completed');
      expect(parseAmount(mine[0]!.amount)).toBe(amountOut);
      expect(
        received.filter((p) => p.transaction_hash === r.paymentHash),
        `withdrawal ${i}: recorded once`,
      ).toHaveLength(1);
      const ledger = await stack.horizon.payments().forAccount(r.user.publicKey()).limit(200).call();
      const refunds = ledger.records.filter(
        (p) => p.type === 'payment' && 'from' in p && p.from === distribution && p.to === r.user.publicKey(),
      );
      expect(refunds, `withdrawal ${i}: no refund`).toHaveLength(0);
      expect(formatFixed7(await assetBalance(stack, r.user.publicKey())), `withdrawer ${i}`).toBe(
        formatFixed7(parseAmount(START_BALANCE) - parseAmount(withdrawAmounts[i]!)),
      );
    }
    expect(payouts, 'no payout beyond one per withdrawal').toHaveLength(WITHDRAWALS);
    const rows = await stack.db.selectFrom('transactions').select(['kind', 'status']).execute();
    expect(rows.filter((r) => r.kind === 'deposit' && r.status === 'completed')).toHaveLength(DEPOSITS);
    expect(rows.filter((r) => r.kind === 'withdrawal' && r.status === 'completed')).toHaveLength(WITHDRAWALS);
    expect(rows).toHaveLength(TRANSFERS);

    // Singletons after the failover: one running observer per receiving account...
    for (const account of stack.config.payments.receivingAccounts) {
      const running = [];
      for await (const w of stack.temporal.workflow.list({
        query: `WorkflowId = '${observerWorkflowId(account)}' AND ExecutionStatus = 'Running'`,
      })) {
        running.push(w);
      }
      expect(running, `observer of ${account}`).toHaveLength(1);
    }
    // ...and the poller's schedule keeps firing after the node is back, each tick started once: a tick fired twice
    // would show as two executions under one workflow id.
    const pollerPrefix = `bank-poller-${stack.env.TEMPORAL_TASK_QUEUE}-run`;
    const runs = await until(
      async () => {
        const all: { workflowId: string; startTime: Date }[] = [];
        for await (const w of stack.temporal.workflow.list({
          query: `WorkflowId STARTS_WITH '${pollerPrefix}'`,
        })) {
          all.push({ workflowId: w.workflowId, startTime: w.startTime });
        }
        return all.some((r) => r.startTime > restartedAt) ? all : undefined;
      },
      60_000,
      'a bank poller run after the node came back',
    );
    expect(new Set(runs.map((r) => r.workflowId)).size).toBe(runs.length);
  }, 900_000);
});

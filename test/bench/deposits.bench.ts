/**
 * Completed SEP-24 deposits per minute, end to end on the real stack as separate processes (test/e2e/stack): SEP-10
 * → POST deposit → hosted page → the DepositWorkflow asks for the transfer → sandbox bank transfer → signed bank
 * webhook → the workflow pays on the sandbox ledger (300 ms ledgers) → completed. DEPOSITS run concurrently; the
 * clock starts at the first SEP-10 request and stops when the last GET /transaction says completed.
 *
 * Baseline (the floor): a bare workflow with as many activities as one deposit ran (counted from its history,
 * child workflows included), every activity a no-op, the same number started at once on an in-process worker
 * against the same Temporal server. The ratio says how much of Temporal's own throughput the anchor keeps once
 * real I/O (Postgres, bank, ledger closes, HTTP) is in the path.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { installRuntime } from '../../config/temporal.js';
import { type Stack, startStack } from '../e2e/stack/index.js';
import {
  bankTransfer,
  completeDepositPages,
  mapLimit,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from '../e2e/stack/wallet.js';
import type { BenchResult } from './types.js';

const DEPOSITS = 40;

/** Activities a workflow ran, its child workflows' included. */
async function activityCount(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  let count = 0;
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes) count++;
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (child) count += await activityCount(client, child);
  }
  return count;
}

async function bareWorkflowsPerMinute(activities: number, workflows: number): Promise<number> {
  installRuntime();
  const address = inject('temporalAddress');
  const taskQueue = `bench-bare-${randomBytes(4).toString('hex')}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./deposits.bare-workflow.ts', import.meta.url)),
    activities: { benchNoop: async () => {} },
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  try {
    const t0 = Date.now();
    const handles: WorkflowHandle[] = await Promise.all(
      Array.from({ length: workflows }, (_, i) =>
        client.workflow.start('bareDepositWorkflow', {
          taskQueue,
          workflowId: `${taskQueue}-${i}`,
          args: [activities],
        }),
      ),
    );
    await Promise.all(handles.map((h) => h.result()));
    return workflows / ((Date.now() - t0) / 60_000);
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await nativeConnection.close();
  }
}

export async function benchDeposits(): Promise<BenchResult[]> {
  let stack: Stack | undefined;
  try {
    stack = await startStack({ apis: 1, workers: 1, env: { SEP24_DEPOSIT_FEE_FIXED: '0.1' } });
    const s = stack;
    const users = await mapLimit(Array.from({ length: DEPOSITS }), 8, () => walletUser(s));
    const t0 = Date.now();
    const done = await Promise.all(
      users.map(async (user, i) => {
        const amount = `${10 + i}.5`;
        const jwt = await sep10Token(s, s.publicUrl, user);
        const { id, url } = await startInteractive(s.publicUrl, jwt, 'deposit', s.config.stellar.assetCode);
        const reference = await completeDepositPages(url, amount);
        await bankTransfer(s, reference, amount);
        const tx = await waitForStatus(s.publicUrl, jwt, id, ['completed', 'error', 'refunded'], 170_000);
        if (tx.status !== 'completed') throw new Error(`deposit ${id} ended ${tx.status}`);
        return id;
      }),
    );
    const elapsedMs = Date.now() - t0;
    const perMinute = DEPOSITS / (elapsedMs / 60_000);
    const activities = await activityCount(s.temporal, `deposit-${done[0]}`);
    const floor = await bareWorkflowsPerMinute(activities, DEPOSITS);
    return [
      {
        name: `SEP-24 deposits, ${DEPOSITS} concurrent, end to end (1 API + 1 worker process)`,
        figure: perMinute,
        unit: 'deposits/min',
        baseline: floor,
        baselineName: `bare workflow, ${activities} no-op activities`,
        ratio: perMinute / floor,
        notes:
          `${DEPOSITS} deposits in ${(elapsedMs / 1000).toFixed(1)} s: SEP-10, hosted page, sandbox bank transfer and ` +
          `signed webhook, payment on a 300 ms sandbox ledger, GET /transaction completed. The floor starts as many ` +
          `workflows at once, each running the same number of activities (${activities}, counted from a deposit's ` +
          `history) as no-ops, so the ratio is the share of bare Temporal throughput left once Postgres, HTTP, the ` +
          `bank and ledger closes are in the path. Same machine, same Temporal server, same run.`,
      },
    ];
  } finally {
    await stack?.stop();
  }
}

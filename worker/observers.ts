import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import { observerWorkflowId } from '../core/ids.js';

export { observerWorkflowId };

/**
 * Starts one payment observer workflow per receiving account. Idempotent: an observer already running is kept
 * (USE_EXISTING), one that ended (terminated, failed) is started again. The worker entry calls this at start.
 */
export async function startObservers(
  client: Client,
  config: AppConfig,
  opts: { taskQueue?: string; maxWaitMs?: number } = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (const account of config.payments.receivingAccounts) {
    const workflowId = observerWorkflowId(account);
    await client.workflow.start('observerWorkflow', {
      taskQueue: opts.taskQueue ?? config.temporal.taskQueue,
      workflowId,
      args: [
        {
          account,
          batchesPerRun: config.payments.observerBatchesPerRun,
          ...(opts.maxWaitMs !== undefined ? { maxWaitMs: opts.maxWaitMs } : {}),
        },
      ],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    ids.push(workflowId);
  }
  return ids;
}

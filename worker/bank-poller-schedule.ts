import {
  type Client,
  type ScheduleHandle,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import { bankPollerWorkflowId } from '../core/ids.js';
import { upsertSchedule } from './schedules.js';

export const BANK_POLLER_SCHEDULE_ID = 'bank-poller';

/**
 * Creates the Schedule that runs bankPollerWorkflow every BANK_POLL_INTERVAL_SECONDS, or brings an existing one
 * up to date (interval, task queue): safe to call on every worker start, from any number of workers.
 * BANK_POLL_INTERVAL_SECONDS=0 deletes it. Overlap SKIP: a slow pass is never doubled; the cursor makes each pass resume where the last one stopped.
 */
export async function ensureBankPollerSchedule(
  client: Client,
  config: AppConfig,
  opts: { scheduleId?: string; taskQueue?: string } = {},
): Promise<ScheduleHandle | undefined> {
  const scheduleId = opts.scheduleId ?? BANK_POLLER_SCHEDULE_ID;
  if (config.bank.pollIntervalSeconds === 0) {
    // Polling switched off (webhooks only): remove a schedule an earlier configuration created.
    await client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    return undefined;
  }
  const taskQueue = opts.taskQueue ?? config.temporal.taskQueue;
  const spec = { intervals: [{ every: `${config.bank.pollIntervalSeconds}s` }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'bankPollerWorkflow',
    workflowId: bankPollerWorkflowId(scheduleId),
    taskQueue,
    workflowExecutionTimeout: '10 minutes',
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' };
  return upsertSchedule(client, { scheduleId, spec, action, policies });
}

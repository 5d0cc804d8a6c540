import { type Client, type ScheduleHandle, ScheduleOverlapPolicy } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import { topUpWorkflowId } from '../core/ids.js';
import { upsertSchedule } from './schedules.js';

export const TOPUP_SCHEDULE_ID = 'distribution-topup';

/** The schedule spec from config: TOPUP_CRON (UTC) when set, else every TOPUP_INTERVAL. */
export function topUpScheduleSpec(config: AppConfig) {
  const { cron, interval } = config.ops.topUp;
  return cron ? { cronExpressions: [cron] } : { intervals: [{ every: interval }] };
}

/**
 * Creates the Schedule that runs topUpWorkflow, or brings an existing one up to date (cadence, task queue): safe on
 * every worker start, from any number of workers. Overlap SKIP: while one top-up waits for cold signatures, later
 * ticks do not start a second one.
 */
export async function ensureTopUpSchedule(
  client: Client,
  config: AppConfig,
  opts: { scheduleId?: string; taskQueue?: string } = {},
): Promise<ScheduleHandle> {
  const scheduleId = opts.scheduleId ?? TOPUP_SCHEDULE_ID;
  const spec = topUpScheduleSpec(config);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'topUpWorkflow',
    workflowId: topUpWorkflowId(scheduleId),
    taskQueue: opts.taskQueue ?? config.temporal.taskQueue,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' };
  return upsertSchedule(client, { scheduleId, spec, action, policies });
}

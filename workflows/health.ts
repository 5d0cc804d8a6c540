import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { HEALTH_PING } from './activity-options.js';
import { type HealthPingResult, healthStatusQuery } from './messages.js';

const { healthPing } = proxyActivities<ReturnType<typeof createActivities>>(HEALTH_PING);

/** Proves the chain API → Temporal → worker → activity → Postgres end to end. */
export async function healthPingWorkflow(): Promise<HealthPingResult> {
  let status: 'running' | 'done' = 'running';
  setHandler(healthStatusQuery, () => status);
  const result = await healthPing();
  status = 'done';
  return result;
}

import { proxyActivities } from '@temporalio/workflow';
import type { CallbackInput, NotifyActivities } from '../activities/notify.js';

const { postTransactionCallback } = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '20 seconds',
  // Back off from seconds to an hour; a wallet that stays down for a day stops getting this update.
  scheduleToCloseTimeout: '24 hours',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    nonRetryableErrorTypes: ['CallbackUrlInvalid'],
  },
});

/**
 * One wallet callback delivery (S24-19, S12-24), started by a transaction workflow as an abandoned child so its
 * retries never hold up (or outlive the need for) the money flow.
 */
export async function transactionCallbackWorkflow(input: CallbackInput): Promise<void> {
  await postTransactionCallback(input);
}

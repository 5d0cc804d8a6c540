import { proxyActivities } from '@temporalio/workflow';
import type { CallbackInput, NotifyActivities } from '../activities/notify.js';
import { CALLBACK_DELIVERY } from './activity-options.js';

const { postTransactionCallback } = proxyActivities<NotifyActivities>(CALLBACK_DELIVERY);

/**
 * One wallet callback delivery (S24-19, S12-24), started by a transaction workflow as an abandoned child so its
 * retries never hold up (or outlive the need for) the money flow.
 */
export async function transactionCallbackWorkflow(input: CallbackInput): Promise<void> {
  await postTransactionCallback(input);
}

import { proxyActivities } from '@temporalio/workflow';
import type { CallbackInput, NotifyActivities } from '../activities/notify.js';
import { CALLBACK_DELIVERY } from './activity-options.js';

const { postTransactionCallback } = proxyActivities<NotifyActivities>(CALLBACK_DELIVERY);

/**
 * One wallet callback delivery (S24-19, S12-24), started by a transaction workflow as an abandoned child so its
 * retries never hold up (or outlive the need for) the money flow, and by the API for each SEP-12 status callback
 * (api/sep12/callbacks.ts, `callback-kyc-<customer>-<digest>`), so pending retries survive an API restart.
 */
export async function transactionCallbackWorkflow(input: CallbackInput): Promise<void> {
  await postTransactionCallback(input);
}

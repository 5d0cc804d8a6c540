import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createObserverActivities } from '../activities/observer.js';
import { OBSERVER_BATCH } from './activity-options.js';

/**
 * One long-running observer per receiving account (ID `observer-<account>`): Temporal runs a workflow ID once at
 * a time, so however many workers run, each account is read by exactly one loop. Each iteration is one activity
 * (read a page after the durable cursor in Postgres, record it, advance the cursor, signal matches); the loop
 * continues as new every `batchesPerRun` batches to bound its history. See docs/payment-observer.md.
 */

const { observePayments } = proxyActivities<ReturnType<typeof createObserverActivities>>(OBSERVER_BATCH);

export interface ObserverInput {
  account: string;
  /** Batches before continue-as-new. */
  batchesPerRun: number;
  /** How long one activity waits for new payments before returning empty (ms). */
  maxWaitMs?: number;
}

export async function observerWorkflow(input: ObserverInput): Promise<never> {
  for (let batch = 0; batch < input.batchesPerRun; batch++) {
    await observePayments({ account: input.account, maxWaitMs: input.maxWaitMs ?? 20_000 });
    if (workflowInfo().continueAsNewSuggested) break;
  }
  return continueAsNew<typeof observerWorkflow>(input);
}

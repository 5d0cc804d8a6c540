import {
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RecordActivities, TransactionPatch } from '../activities/records.js';
import { callbackWorkflowId } from '../core/ids.js';
import type { TransactionStatus as Status } from '../db/schema.js';
import { RECORDS } from './activity-options.js';
import { transactionStatusQuery } from './messages.js';
import { transactionCallbackWorkflow } from './notify.js';
import { TransactionStatus } from './search-attributes.js';

/**
 * What deposit and withdrawal workflows share: the status they own, exposed as a query, mirrored into Postgres
 * by an activity, kept in the TransactionStatus search attribute, and pushed to the wallet's callbacks
 * (S24-19) without ever waiting on the wallet.
 */

const { mirrorTransactionStatus } = proxyActivities<RecordActivities>(RECORDS);

/** The amounts of a fee quote as the row patch that shows them (amount_in, amount_fee, amount_out). */
export function amountsOf(quote: {
  amountIn: string;
  amountFee: string;
  amountOut: string;
}): Required<Pick<TransactionPatch, 'amountIn' | 'amountFee' | 'amountOut'>> {
  return { amountIn: quote.amountIn, amountFee: quote.amountFee, amountOut: quote.amountOut };
}

export interface StatusTracker {
  readonly status: Status;
  /** Moves to `next` (the same status again just records the patch) and tells everyone who listens. */
  set(next: Status, patch?: TransactionPatch): Promise<void>;
}

export function trackStatus(transactionId: string, initial: Status): StatusTracker {
  let status: Status = initial;
  let callbacks = 0;
  let interactiveCallbackSent = false;
  setHandler(transactionStatusQuery, () => status);

  const fire = async (url: string, body: string) => {
    callbacks += 1;
    await startChild(transactionCallbackWorkflow, {
      workflowId: callbackWorkflowId(workflowInfo().workflowId, callbacks),
      taskQueue: workflowInfo().taskQueue,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [{ transactionId, url, body }],
    });
  };

  return {
    get status() {
      return status;
    },
    async set(next, patch) {
      const changed = next !== status;
      const result = await mirrorTransactionStatus({
        transactionId,
        status: next,
        ...(patch ? { patch } : {}),
      });
      status = next;
      // Only runs started with the search attributes (the API always sets them) keep them current; a namespace
      // without them registered (the time-skipping test server) must not fail the workflow task.
      if (changed && workflowInfo().typedSearchAttributes.get(TransactionStatus) !== undefined) {
        upsertSearchAttributes([{ key: TransactionStatus, value: next }]);
      }
      const amounts = patch && (patch.amountIn !== undefined || patch.amountOut !== undefined);
      if (amounts)
        upsertMemo({
          amountIn: patch.amountIn ?? null,
          amountOut: patch.amountOut ?? null,
          amountFee: patch.amountFee ?? null,
        });
      const kycChanged = patch?.kycVerified !== undefined;
      if ((changed || kycChanged) && isUrl(result.onChangeCallback))
        await fire(result.onChangeCallback, result.body);
      // The one-shot `callback` goes out once, when the user has finished the interactive part (S24-19).
      if (!interactiveCallbackSent && next !== 'incomplete' && isUrl(result.interactiveCallback)) {
        interactiveCallbackSent = true;
        await fire(result.interactiveCallback, result.body);
      }
    },
  };
}

function isUrl(v: string | null): v is string {
  return v !== null && /^https?:\/\//.test(v);
}

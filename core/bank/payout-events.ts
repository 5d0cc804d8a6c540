import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Logger } from '../../config/logger.js';
import { getBankPayout, updateBankPayout } from '../../db/bank.js';
import type { Db } from '../../db/index.js';
import { payoutStatusSignal } from '../../workflows/messages.js';
import { withdrawalPayoutRef, withdrawalWorkflowId } from '../ids.js';
import type { BankPayoutWire } from './client.js';

/**
 * The bank's `payout.updated` webhook: record the payout's new status, commit, then signal `withdraw-<id>` so the
 * withdrawal completes within the bank's own latency instead of at its next poll. Every failure here is harmless:
 * the workflow keeps polling (WITHDRAW_PAYOUT_POLL_SECONDS) and reads the same status from the bank.
 */
export type PayoutEventResult =
  | { result: 'signalled'; transactionId: string }
  /** Still pending, or a payout that is not a withdrawal's (a deposit refund): recorded, nobody waits on it. */
  | { result: 'recorded' }
  /** A payout we never sent. */
  | { result: 'unknown_payout' }
  /** The withdrawal has ended already (a redelivery), or Temporal is unreachable: its poll covers it. */
  | { result: 'not_signalled'; transactionId: string; error: string };

export async function ingestPayoutUpdate(
  deps: { db: Db; temporal: Client; logger?: Logger },
  payout: BankPayoutWire,
): Promise<PayoutEventResult> {
  const payoutRef = payout.idempotency_key;
  const row = await getBankPayout(deps.db, payoutRef);
  if (!row) return { result: 'unknown_payout' };
  // A final status stays final: a late or replayed `pending` event never reopens a settled payout.
  if (row.status === 'completed' || row.status === 'failed') {
    if (payout.status !== row.status) return { result: 'recorded' };
  } else {
    await updateBankPayout(deps.db, payoutRef, {
      status: payout.status,
      bankPayoutId: payout.id,
      failureReason: payout.failure_reason,
    });
  }
  const transactionId = row.transaction_id;
  if (payout.status === 'pending' || payoutRef !== withdrawalPayoutRef(transactionId)) {
    return { result: 'recorded' };
  }
  try {
    await deps.temporal.workflow.getHandle(withdrawalWorkflowId(transactionId)).signal(payoutStatusSignal, {
      payoutRef,
      state: payout.status,
      bankPayoutId: payout.id,
      reason: payout.failure_reason,
    });
    return { result: 'signalled', transactionId };
  } catch (err) {
    const error = err instanceof WorkflowNotFoundError ? 'workflow not running' : (err as Error).message;
    deps.logger?.warn({ transactionId, payoutRef, error }, 'payout status not signalled; the poll covers it');
    return { result: 'not_signalled', transactionId, error };
  }
}

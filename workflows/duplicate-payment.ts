import { log, proxyActivities } from '@temporalio/workflow';
import type { RecordActivities } from '../activities/records.js';
import type { WithdrawalActivities } from '../activities/withdrawal.js';
import { duplicatePaymentRefundRef } from '../core/ids.js';
import { RECORDS, WITHDRAWAL_MONEY } from './activity-options.js';
import { failureType } from './failures.js';
import type { DuplicatePaymentInput } from './messages.js';

export type { DuplicatePaymentInput };

/**
 * A second Stellar payment for a withdrawal that has its payment already (the observer records it as
 * 'duplicate_payment'), or a payment for a withdrawal that ended without one ('late_payment': it expired or failed
 * before the user paid), starts this, ID `duplicate-payment-<operationId>`, once per incoming payment): the
 * operator is alerted, and with WITHDRAW_REFUND_DUPLICATE_PAYMENTS the payment goes back to its sender under the
 * reference `refund-payment-<operationId>`, which the Stellar rail deduplicates, so a retry or a worker lost
 * mid-refund never refunds twice.
 */
export interface DuplicatePaymentResult {
  refunded: boolean;
  hash?: string;
}

const records = proxyActivities<Pick<RecordActivities, 'raiseAlert'>>(RECORDS);
const steps = proxyActivities<Pick<WithdrawalActivities, 'recordDuplicatePayment'>>(RECORDS);
const money = proxyActivities<Pick<WithdrawalActivities, 'refundWithdrawalPayment'>>(WITHDRAWAL_MONEY);

export async function duplicatePaymentWorkflow(
  input: DuplicatePaymentInput,
): Promise<DuplicatePaymentResult> {
  const { transactionId, operationId } = input;
  const what = `${input.amount} ${input.asset.code} from ${input.from} (operation ${operationId})`;
  const received =
    input.reason === 'late'
      ? `received a payment after it had ended without one, ${what}`
      : `received a second payment, ${what}`;
  if (!input.refund) {
    await records.raiseAlert({
      transactionId,
      kind: 'withdraw_extra_payment',
      message: `Withdrawal ${transactionId} ${received}; automatic refunds are off: refund it by hand.`,
    });
    await steps.recordDuplicatePayment({ operationId, state: 'alerted' });
    return { refunded: false };
  }
  const ref = duplicatePaymentRefundRef(operationId);
  try {
    const { hash } = await money.refundWithdrawalPayment({
      ref,
      destination: input.from,
      asset: input.asset,
      amount: input.amount,
      memo: input.memo,
    });
    await records.raiseAlert({
      transactionId,
      kind: 'withdraw_extra_payment',
      message: `Withdrawal ${transactionId} ${received}; it was refunded (${ref}, ${hash}).`,
    });
    // Last: the row's state says the handling is complete.
    await steps.recordDuplicatePayment({ operationId, state: 'refunded', refundHash: hash });
    return { refunded: true, hash };
  } catch (err) {
    log.error('duplicate payment refund failed', { transactionId, ref, type: failureType(err) });
    await records.raiseAlert({
      transactionId,
      kind: 'withdraw_refund_failed',
      message: `Withdrawal ${transactionId} ${received}; its refund ${ref} failed: refund it by hand.`,
    });
    await steps.recordDuplicatePayment({ operationId, state: 'alerted' });
    return { refunded: false };
  }
}

import { sandboxWithdrawEncryptionKey } from './sandbox-keys.js';
import type { Env } from './schema.js';

/** SEP-24 withdrawals beyond the shared limits/fees in `sep24.withdraw`. Amounts are decimal strings. */
export function buildWithdrawConfig(e: Env) {
  return {
    /** 32-byte AES-256-GCM key, hex. */
    encryptionKey: (e.WITHDRAW_ENCRYPTION_KEY ?? sandboxWithdrawEncryptionKey()).toLowerCase(),
    approvalThreshold: e.WITHDRAW_APPROVAL_THRESHOLD,
    approvalSlaSeconds: e.WITHDRAW_APPROVAL_SLA_SECONDS,
    approvalSlaDefault: e.WITHDRAW_APPROVAL_SLA_DEFAULT,
    amountMismatch: e.WITHDRAW_AMOUNT_MISMATCH,
    amountTolerancePercent: e.WITHDRAW_AMOUNT_TOLERANCE_PERCENT,
    dailyLimit: e.WITHDRAW_DAILY_LIMIT,
    monthlyLimit: e.WITHDRAW_MONTHLY_LIMIT,
    interactiveTimeoutSeconds: e.WITHDRAW_INTERACTIVE_TIMEOUT_SECONDS,
    paymentTimeoutSeconds: e.WITHDRAW_PAYMENT_TIMEOUT_SECONDS,
    payoutPollSeconds: e.WITHDRAW_PAYOUT_POLL_SECONDS,
    refundDuplicatePayments: e.WITHDRAW_REFUND_DUPLICATE_PAYMENTS,
  };
}

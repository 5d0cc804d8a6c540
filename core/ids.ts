/**
 * Every workflow ID and payment reference the anchor builds, in one place. Workflow IDs are business IDs (one
 * run per transaction, account or schedule); payment references are the idempotency keys the Stellar and bank
 * rails deduplicate by, fixed before the side effect so a retry never pays twice. Pure: workflows import it.
 *
 * Changing a format here changes what running workflows and stored rows expect: old IDs stay valid forever.
 */

// --- workflow IDs -----------------------------------------------------------------------------------------------

/** A SEP-24 deposit's workflow (workflows/deposit.ts). */
export const depositWorkflowId = (transactionId: string): string => `deposit-${transactionId}`;

/** A SEP-24 withdrawal's workflow (workflows/withdrawal.ts). */
export const withdrawalWorkflowId = (transactionId: string): string => `withdraw-${transactionId}`;

/** The workflow that owns a transaction, by kind. */
export function transactionWorkflowId(kind: 'deposit' | 'withdrawal', transactionId: string): string {
  return kind === 'deposit' ? depositWorkflowId(transactionId) : withdrawalWorkflowId(transactionId);
}

/** The one payment observer of a receiving account (workflows/observer.ts). */
export const observerWorkflowId = (account: string): string => `observer-${account}`;

/** The n-th wallet callback (1-based) a transaction workflow starts as an abandoned child. */
export const callbackWorkflowId = (parentWorkflowId: string, n: number): string =>
  `${parentWorkflowId}-callback-${n}`;

/**
 * One SEP-12 status callback (S12-23..25) delivered by transactionCallbackWorkflow: keyed by the customer and a
 * digest of the exact body, so the same status reported twice is one delivery (duplicates are rejected).
 */
export const kycCallbackWorkflowId = (customerId: string, bodyDigest: string): string =>
  `callback-kyc-${customerId}-${bodyDigest}`;

/** The handling (alert, refund) of one second payment for a withdrawal, by the incoming Stellar operation id. */
export const duplicatePaymentWorkflowId = (operationId: string): string => `duplicate-payment-${operationId}`;

/** Runs of the top-up Schedule (the Schedule appends its own timestamp). */
export const topUpWorkflowId = (scheduleId: string): string => `topup-${scheduleId}`;

/** Runs of the bank-poller Schedule (the Schedule appends its own timestamp). */
export const bankPollerWorkflowId = (scheduleId: string): string => `${scheduleId}-run`;

/** One health ping from the dev launcher (scripts/dev.ts); `at` is its start time. */
export const healthPingWorkflowId = (at: Date): string =>
  `health-ping-${at.toISOString().replace(/[:.]/g, '-')}`;

// --- payment references (idempotency keys) -----------------------------------------------------------------------

/** The Stellar payment (or claimable balance) that pays a deposit out. */
export const depositPaymentRef = (transactionId: string): string => `deposit-${transactionId}`;

/** The CreateAccount of a deposit's destination that did not exist (S24-24). */
export const depositAccountRef = (transactionId: string): string => `create-account-${transactionId}`;

/** The bank refund of a deposit's transfer. */
export const depositRefundRef = (transactionId: string): string => `refund-${transactionId}`;

/** The n-th (1-based) Stellar refund of a withdrawal payment: the first is `refund-<id>`, then `refund-<id>-<n>`. */
export const withdrawalRefundRef = (transactionId: string, n: number): string =>
  n === 1 ? `refund-${transactionId}` : `refund-${transactionId}-${n}`;

/** The Stellar refund of a second payment for a withdrawal, by the incoming operation id: sent back once. */
export const duplicatePaymentRefundRef = (operationId: string): string => `refund-payment-${operationId}`;

/** The bank payout of a withdrawal. */
export const withdrawalPayoutRef = (transactionId: string): string => `payout-${transactionId}`;

/** The bank refund of a transfer no deposit claimed (unmatched queue). */
export const unmatchedRefundRef = (bankTransferId: string): string => `refund-unmatched-${bankTransferId}`;

/** The reference a user writes on a deposit's bank transfer: `DEP` + 10 hex digits from 5 random bytes. */
export function depositBankReference(random: Uint8Array): string {
  if (random.length !== 5) throw new Error('a deposit bank reference takes exactly 5 random bytes');
  return `DEP${Array.from(random, (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()}`;
}

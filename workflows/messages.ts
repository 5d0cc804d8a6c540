/**
 * Signals, queries and updates: defined once here and imported by both the API/activities (to send them) and the
 * workflows (to handle them). Keep payloads plain JSON; amounts are decimal strings.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { KycStatus } from '../db/schema.js';

// --- health -----------------------------------------------------------------------------------------------
export interface HealthPingResult {
  pong: true;
  database: 'ok';
  worker: string;
  at: string;
}
export const healthStatusQuery = defineQuery<'running' | 'done'>('healthStatus');

// --- KYC (SEP-12) -------------------------------------------------------------------------------------------
export type { KycStatus };
export interface KycStatusChange {
  customerId: string;
  account: string;
  memo: string | null;
  status: KycStatus;
  /** The tier the status applies to (1 = basic, 2 = enhanced, ...). */
  tier: number;
  message?: string;
}
/** Sent by the KYC webhook to every workflow registered as waiting on that customer. */
export const kycStatusSignal = defineSignal<[KycStatusChange]>('kycStatus');

// --- bank rails (deposits) ------------------------------------------------------------------------------------
export interface BankTransferReceived {
  /** The bank's own event/transfer id: the idempotency key (duplicates and reorderings are harmless). */
  bankTransferId: string;
  reference: string;
  /** Decimal string in the fiat currency (same units as the anchored asset). */
  amount: string;
  currency: string;
  /** Masked sender account (e.g. IBAN) for the SEP-24 `from` field. */
  from: string;
  receivedAt: string;
}
/** Sent by the bank webhook or the polling schedule once a transfer is matched to `deposit-<id>`. */
export const bankTransferReceivedSignal = defineSignal<[BankTransferReceived]>('bankTransferReceived');

// --- bank rails (withdrawal payouts) -----------------------------------------------------------------------------
export interface PayoutStatusReport {
  /** Our reference for the payout (the bank's Idempotency-Key), `payout-<transactionId>`. */
  payoutRef: string;
  state: 'completed' | 'failed';
  bankPayoutId: string | null;
  reason: string | null;
}
/**
 * Sent by the bank webhook (`payout.updated`) to `withdraw-<id>` once the bank settles or rejects the payout, so the
 * withdrawal completes within the bank's own latency; the workflow still polls as the fallback for a lost webhook.
 */
export const payoutStatusSignal = defineSignal<[PayoutStatusReport]>('payoutStatus');

// --- Stellar payments (withdrawals) ---------------------------------------------------------------------------
export interface ReceivedPayment {
  operationId: string;
  transactionHash: string;
  from: string;
  amount: string;
  assetCode: string;
  assetIssuer: string | null;
  memo: string | null;
  memoType: 'text' | 'id' | 'hash' | 'none';
  /** ISO close time of the payment's ledger (a quote holds for payments made before it expires, S6-08). */
  ledgerClosedAt?: string | null;
}
/** Sent by the payment observer once per payment matched to `withdraw-<id>`. */
export const paymentReceivedSignal = defineSignal<[ReceivedPayment]>('paymentReceived');

// --- interactive flow -------------------------------------------------------------------------------------------
export interface InteractiveInfo {
  /**
   * null: the wallet announced none (SEP-6 makes `amount` optional, S6-18). A deposit then applies its limits and
   * fee to the amount that arrives; a withdrawal needs one (its fronts always send it).
   */
  amount: string | null;
  /** Withdrawals: where the fiat goes (encrypted at rest; only a masked form reaches the workflow history). */
  destinationMasked?: string;
  lang?: string;
}
/** Sent by the hosted pages when the user has supplied everything (leaves `incomplete`). */
export const interactiveCompletedSignal = defineSignal<[InteractiveInfo]>('interactiveCompleted');

// --- operator decisions (withdrawal approval) -------------------------------------------------------------------
export interface OperatorDecision {
  decision: 'approve' | 'reject';
  operator: string;
  reason?: string;
}
export const operatorDecisionSignal = defineSignal<[OperatorDecision]>('operatorDecision');

/**
 * The user's answer to a requote (SEP38_EXPIRED_QUOTE_RULE=requote): accept the new firm quote `quoteId`, or have
 * the funds refunded. From SEP-6 PATCH /transactions/:id or the SEP-24 more_info page; the first answer counts.
 */
export interface QuoteConsent {
  quoteId: string;
  accept: boolean;
}
export const quoteConsentSignal = defineSignal<[QuoteConsent]>('quoteConsent');

// --- transaction status (deposit and withdrawal) ------------------------------------------------------------------
export const transactionStatusQuery = defineQuery<string>('transactionStatus');

// --- operator refunds (admin API) ---------------------------------------------------------------------------------
export interface OperatorRefundRequest {
  operator: string;
  reason?: string;
}
/**
 * Sent by `POST /admin/transactions/:id/refund` to `deposit-<id>` / `withdraw-<id>`. A workflow that supports
 * operator refunds handles it (refund the amount received, then status `refunded`); others ignore it.
 */
export const operatorRefundSignal = defineSignal<[OperatorRefundRequest]>('operatorRefund');

// --- distribution top-ups (workflows/topup.ts) ---------------------------------------------------------------------
export interface SignedEnvelope {
  /** Base64 XDR of the top-up transaction envelope carrying the cold signers' signatures. */
  envelopeXdr: string;
  /** Who handed it in (admin key name). */
  submittedBy: string;
}
/** Sent by `POST /admin/topups/:id/signed-envelope` to the waiting top-up workflow (testnet/mainnet). */
export const signedEnvelopeSignal = defineSignal<[SignedEnvelope]>('signedEnvelope');

export type TopUpPhase =
  | 'checking'
  | 'not_needed'
  | 'awaiting_signature'
  | 'submitting'
  | 'completed'
  | 'expired'
  | 'failed';
export interface TopUpState {
  phase: TopUpPhase;
  topUpId?: string;
  amount?: string;
  txHash?: string;
  /** testnet/mainnet: the unsigned envelope the cold signers must sign. */
  unsignedXdr?: string;
  rejections: string[];
}
export const topUpStateQuery = defineQuery<TopUpState>('topUpState');

export interface DistributionToppedUp {
  topUpId: string;
  amount: string;
  txHash: string;
}
/**
 * Sent by a completed top-up to every running deposit workflow whose TransactionStatus is `pending_anchor`:
 * a deposit that found the distribution account short of funds waits on it (with a timeout, then re-checks).
 */
export const distributionToppedUpSignal = defineSignal<[DistributionToppedUp]>('distributionToppedUp');

/** What the observer hands duplicatePaymentWorkflow about a second payment for a withdrawal (its start input). */
export interface DuplicatePaymentInput {
  transactionId: string;
  operationId: string;
  from: string;
  asset: { code: string; issuer: string | null };
  amount: string;
  /** The withdrawal's refund_memo, else the payment's own memo (S24-14). */
  memo: { type: 'text' | 'id' | 'hash'; value: string } | null;
  /** WITHDRAW_REFUND_DUPLICATE_PAYMENTS when the payment was seen. */
  refund: boolean;
  /**
   * Why it is extra: a second payment ('duplicate', the default), or a payment for a withdrawal that had ended
   * without one ('late': expired or in error before the user paid).
   */
  reason?: 'duplicate' | 'late';
}

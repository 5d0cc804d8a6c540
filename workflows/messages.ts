/**
 * Signals, queries and updates: defined once here and imported by both the API/activities (to send them) and the
 * workflows (to handle them). Keep payloads plain JSON; amounts are decimal strings.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

// --- health -----------------------------------------------------------------------------------------------
export interface HealthPingResult {
  pong: true;
  database: 'ok';
  worker: string;
  at: string;
}
export const healthStatusQuery = defineQuery<'running' | 'done'>('healthStatus');

// --- KYC (SEP-12) -------------------------------------------------------------------------------------------
export type KycStatus = 'ACCEPTED' | 'REJECTED' | 'NEEDS_INFO' | 'PROCESSING';
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
}
/** Sent by the payment observer once per payment matched to `withdraw-<id>`. */
export const paymentReceivedSignal = defineSignal<[ReceivedPayment]>('paymentReceived');

// --- interactive flow -------------------------------------------------------------------------------------------
export interface InteractiveInfo {
  amount: string;
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

// --- transaction status (deposit and withdrawal) ------------------------------------------------------------------
export const transactionStatusQuery = defineQuery<string>('transactionStatus');

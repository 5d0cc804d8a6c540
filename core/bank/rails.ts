import { ApplicationFailure } from '@temporalio/common';
import {
  getBankPayout,
  getBankTransfer,
  markUnmatchedRefunded,
  recordBankPayout,
  requireOpenUnmatched,
  saveVirtualAccount,
  updateBankPayout,
  virtualAccountOf,
} from '../../db/bank.js';
import type { Db } from '../../db/index.js';
import { canonicalAmount, positiveAmountSchema } from '../../stellar/money.js';
import { unmatchedRefundRef } from '../ids.js';
import { BankApiError, type BankClient, type BankPayoutWire } from './client.js';
import { maskAccount } from './mask.js';

/**
 * The bank rails over a bank client: fiat payouts (withdrawals), refunds of deposit transfers (matched or from the
 * operator queue) and virtual accounts, idempotent by their reference, stored before the bank is called (the bank
 * dedupes by Idempotency-Key). Plain functions used by the bank activities and the admin API alike; a payout the
 * bank refuses is `ApplicationFailure.nonRetryable(type 'BankPayoutRejected')`.
 */

/** Where the fiat goes (same shape as BankDestination in core/policies/withdrawal.ts). */
export interface PayoutDestination {
  name: string;
  account: string;
  routing?: string | undefined;
}
export interface BankPayoutInput {
  payoutRef: string;
  amount: string;
  currency: string;
  destination: PayoutDestination;
  transactionId: string;
}
export interface BankPayoutStatus {
  status: 'created' | 'pending' | 'completed' | 'failed';
  bankPayoutId: string | null;
  failureReason: string | null;
}

function rejected(message: string, reason?: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'BankPayoutRejected', reason ? { reason } : undefined);
}

/** Payouts, refunds and virtual accounts over a bank client; plain functions the activities and other families use. */
export function createBankRails(deps: { db: Db; bank: BankClient }) {
  const { db, bank } = deps;

  async function applyBankAnswer(payoutRef: string, p: BankPayoutWire): Promise<BankPayoutStatus> {
    await updateBankPayout(db, payoutRef, {
      status: p.status,
      bankPayoutId: p.id,
      failureReason: p.failure_reason,
    });
    return toStatus(p);
  }

  async function sendBankPayout(input: BankPayoutInput): Promise<BankPayoutStatus> {
    if (!positiveAmountSchema.safeParse(input.amount).success) {
      throw rejected(`payout amount ${JSON.stringify(input.amount)} is not a positive decimal`);
    }
    const row = await recordBankPayout(db, {
      payoutRef: input.payoutRef,
      transactionId: input.transactionId,
      amount: input.amount,
      currency: input.currency,
      // Only a masked account is kept here: the withdrawal's bank details stay encrypted at rest (stellar/crypto.ts)
      // and reach the bank straight from the activity input.
      destinationAccount: maskAccount(input.destination.account),
      destinationName: input.destination.name,
    });
    if (row.status === 'completed' || row.status === 'failed') {
      return { status: row.status, bankPayoutId: row.bank_payout_id, failureReason: row.failure_reason };
    }
    try {
      // Same Idempotency-Key on every attempt: a retry after a lost answer returns the first payout.
      const p = await bank.createPayout(input.payoutRef, {
        amount: canonicalAmount(row.amount),
        currency: row.currency,
        accountNumber: input.destination.account,
        accountName: input.destination.name,
        reference: input.payoutRef,
      });
      return await applyBankAnswer(input.payoutRef, p);
    } catch (err) {
      if (err instanceof BankApiError && !err.retryable) {
        await updateBankPayout(db, input.payoutRef, { status: 'failed', failureReason: err.message });
        throw rejected(`the bank rejected payout ${input.payoutRef}: ${err.message}`, err.message);
      }
      throw err; // retryable: network, 5xx, 429
    }
  }

  async function getBankPayoutStatus(payoutRef: string): Promise<BankPayoutStatus> {
    const [p, row] = await Promise.all([bank.getPayout(payoutRef), getBankPayout(db, payoutRef)]);
    if (p) return row ? applyBankAnswer(payoutRef, p) : toStatus(p);
    if (!row) throw ApplicationFailure.nonRetryable(`no payout ${payoutRef}`, 'NotFound');
    return { status: row.status, bankPayoutId: row.bank_payout_id, failureReason: row.failure_reason };
  }

  /** Sends a deposit's bank transfer back to its sender (deposit workflow), once per `ref`. */
  async function refundBankTransfer(input: {
    ref: string;
    bankTransferId: string;
    amount: string;
    reason: string;
  }): Promise<{ refundId: string }> {
    const transfer = await getBankTransfer(db, input.bankTransferId);
    if (!transfer)
      throw ApplicationFailure.nonRetryable(`no bank transfer ${input.bankTransferId}`, 'NotFound');
    const result = await sendBankPayout({
      payoutRef: input.ref,
      amount: input.amount,
      currency: transfer.currency,
      destination: { name: transfer.from_name ?? 'sender', account: transfer.from_account },
      transactionId: transfer.transaction_id ?? input.bankTransferId,
    });
    if (result.status === 'failed')
      throw rejected(`refund ${input.ref} failed: ${result.failureReason ?? 'unknown'}`);
    return { refundId: result.bankPayoutId ?? input.ref };
  }

  /**
   * Admin API: sends an unmatched transfer back to its sender through the bank (payout ref
   * `refund-unmatched-<transferId>`, so a retried request never pays twice) and closes the queue item as refunded.
   * Throws UnmatchedTransferError (not_found / not_open) or BankPayoutRejected.
   */
  async function refundUnmatchedTransfer(
    transferId: string,
    operator: string,
    reason?: string,
  ): Promise<{ refundId: string }> {
    await requireOpenUnmatched(db, transferId);
    const transfer = (await getBankTransfer(db, transferId))!;
    const { refundId } = await refundBankTransfer({
      ref: unmatchedRefundRef(transferId),
      bankTransferId: transferId,
      amount: canonicalAmount(transfer.amount),
      reason: reason ?? 'unmatched bank transfer returned to the sender',
    });
    await markUnmatchedRefunded(db, transferId, operator, refundId, reason);
    return { refundId };
  }

  /** The per-customer account number (DEPOSIT_MATCHING=virtual_account), assigned by the bank once per sub. */
  async function ensureVirtualAccount(sub: string): Promise<string> {
    const existing = await virtualAccountOf(db, sub);
    if (existing) return existing;
    const accountNumber = await bank.assignVirtualAccount(sub);
    await saveVirtualAccount(db, sub, accountNumber);
    return accountNumber;
  }

  return {
    sendBankPayout,
    getBankPayoutStatus,
    refundBankTransfer,
    refundUnmatchedTransfer,
    ensureVirtualAccount,
  };
}

function toStatus(p: BankPayoutWire): BankPayoutStatus {
  return { status: p.status, bankPayoutId: p.id, failureReason: p.failure_reason };
}

export type BankRails = ReturnType<typeof createBankRails>;

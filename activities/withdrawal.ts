import { ApplicationFailure } from '@temporalio/activity';
import type { AppConfig } from '../config/index.js';
import { type BankDestination, checkAccountLimits, type LimitCheck } from '../core/policies/withdrawal.js';
import type { Db } from '../db/index.js';
import { setDuplicateState } from '../db/received-payments.js';
import {
  prepareWithdrawalPayment,
  recordWithdrawalReview,
  setWithdrawalPayoutRef,
  withdrawalDestinationCiphertext,
} from '../db/withdrawals.js';
import { decryptAtRest } from '../stellar/crypto.js';
import { whileHeartbeating } from './heartbeat.js';

/**
 * Side effects of a SEP-24 withdrawal (workflows/withdrawal.ts). Each one is idempotent: status writes are plain
 * overwrites, the memo is assigned once, the payout and refund carry references fixed by the workflow
 * (`payout-<id>`, `refund-<id>`) that the rails deduplicate.
 */

/** The outside world a withdrawal touches: the bank (payout) and the Stellar network (refunds). */
export interface WithdrawalRails {
  sendBankPayout(input: {
    payoutRef: string;
    amount: string;
    currency: string;
    destination: BankDestination;
    transactionId: string;
  }): Promise<{ status: string; bankPayoutId?: string | null }>;
  getBankPayoutStatus(
    payoutRef: string,
  ): Promise<{ status: string; bankPayoutId?: string | null; failureReason?: string | null }>;
  sendPayment(input: {
    ref: string;
    destination: string;
    asset: { code: string; issuer: string | null };
    amount: string;
    memo?: { type: 'text' | 'id' | 'hash'; value: string } | undefined;
  }): Promise<{ hash: string }>;
}

export interface WithdrawalActivityDeps {
  config: AppConfig;
  db: Db;
  rails: WithdrawalRails;
}

export type PayoutState = 'pending' | 'completed' | 'failed';

/** Normalizes whatever the bank reports into the three states the workflow acts on. */
function payoutState(status: string): PayoutState {
  const s = status.toLowerCase();
  if (s === 'completed' || s === 'settled' || s === 'paid') return 'completed';
  if (s === 'failed' || s === 'rejected' || s === 'returned' || s === 'cancelled') return 'failed';
  return 'pending';
}

export function createWithdrawalActivities(deps: WithdrawalActivityDeps) {
  const { db, config, rails } = deps;

  return {
    /**
     * Readies the row for the user's payment: the withdraw memo, assigned once (an id memo from a sequence, so
     * unique per transaction, S24-21), the receiving account, the amount asked for and the masked destination
     * (SEP-24 `to`). A retry returns the memo already assigned.
     */
    async prepareWithdrawalPayment(input: {
      transactionId: string;
      anchorAccount: string;
      amountExpected: string;
      destinationMasked: string | null;
    }): Promise<{ memo: string; memoType: 'id'; anchorAccount: string }> {
      const row = await prepareWithdrawalPayment(db, input);
      if (!row?.memo || !row.withdraw_anchor_account) {
        throw ApplicationFailure.nonRetryable(`no withdrawal ${input.transactionId}`, 'NotFound');
      }
      return { memo: row.memo, memoType: 'id', anchorAccount: row.withdraw_anchor_account };
    },

    /** The per-account daily/monthly limits, enforced again here because the form can be bypassed. */
    async checkWithdrawalLimits(input: {
      transactionId: string;
      account: string;
      assetCode: string;
      amount: string;
    }): Promise<LimitCheck> {
      return checkAccountLimits(db, config, {
        account: input.account,
        assetCode: input.assetCode,
        amount: input.amount,
        excludeId: input.transactionId,
      });
    },

    /** Records why a withdrawal needs approval, and later the operator's decision (audit trail). */
    async recordWithdrawalReview(input: {
      transactionId: string;
      reasons: string[];
      decision?: { decision: 'approve' | 'reject'; operator: string; reason?: string | undefined };
    }): Promise<void> {
      await recordWithdrawalReview(db, input.transactionId, input.reasons, input.decision);
    },

    /**
     * Pays the fiat out: decrypts the stored bank account (never part of workflow history) and asks the bank,
     * idempotently by `payoutRef`. A rejection surfaces as the non-retryable 'BankPayoutRejected'.
     */
    async sendWithdrawalPayout(input: {
      transactionId: string;
      payoutRef: string;
      amount: string;
      currency: string;
    }): Promise<{ state: PayoutState; bankPayoutId: string | null }> {
      const ciphertext = await withdrawalDestinationCiphertext(db, input.transactionId);
      if (!ciphertext) {
        throw ApplicationFailure.nonRetryable(
          'no bank destination stored for this withdrawal',
          'BankPayoutRejected',
        );
      }
      const destination = JSON.parse(
        decryptAtRest(config.withdraw.encryptionKey, ciphertext, input.transactionId),
      ) as BankDestination;
      await setWithdrawalPayoutRef(db, input.transactionId, input.payoutRef);
      const result = await whileHeartbeating(() =>
        rails.sendBankPayout({
          payoutRef: input.payoutRef,
          amount: input.amount,
          currency: input.currency,
          destination,
          transactionId: input.transactionId,
        }),
      );
      const state = payoutState(result.status);
      if (state === 'failed') {
        throw ApplicationFailure.nonRetryable('the bank rejected the payout', 'BankPayoutRejected');
      }
      return { state, bankPayoutId: result.bankPayoutId ?? null };
    },

    async getWithdrawalPayoutState(input: {
      payoutRef: string;
    }): Promise<{ state: PayoutState; bankPayoutId: string | null; reason: string | null }> {
      const result = await rails.getBankPayoutStatus(input.payoutRef);
      return {
        state: payoutState(result.status),
        bankPayoutId: result.bankPayoutId ?? null,
        reason: result.failureReason ?? null,
      };
    },

    /** How a second payment for a withdrawal was handled (workflows/duplicate-payment.ts): refunded or alerted. */
    async recordDuplicatePayment(input: {
      operationId: string;
      state: 'refunded' | 'alerted';
      refundHash?: string;
    }): Promise<void> {
      await setDuplicateState(db, input.operationId, input.state, input.refundHash ?? null);
    },

    /** Sends funds back on Stellar, idempotent by `ref` (`refund-<id>`, `refund-payment-<operation>`). */
    async refundWithdrawalPayment(input: {
      ref: string;
      destination: string;
      asset: { code: string; issuer: string | null };
      amount: string;
      memo: { type: 'text' | 'id' | 'hash'; value: string } | null;
    }): Promise<{ hash: string }> {
      return whileHeartbeating(() =>
        rails.sendPayment({
          ref: input.ref,
          destination: input.destination,
          asset: input.asset,
          amount: input.amount,
          ...(input.memo ? { memo: input.memo } : {}),
        }),
      );
    },
  };
}

export type WithdrawalActivities = ReturnType<typeof createWithdrawalActivities>;

import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'kysely';
import type { AppConfig } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { TransactionStatus } from '../db/schema.js';
import { decryptAtRest } from '../stellar/crypto.js';
import { compareAmounts, fromStroops, toStroops } from '../stellar/fees.js';
import type { WithdrawalPolicy } from '../workflows/withdrawal.js';

/**
 * Side effects of a SEP-24 withdrawal (workflows/withdrawal.ts). Each one is idempotent: status writes are plain
 * overwrites, the memo is assigned once, the payout and refund carry references fixed by the workflow
 * (`payout-<id>`, `refund-<id>`) that the rails deduplicate.
 */

/** A bank account the fiat goes to, as the hosted form collects it (stored encrypted at rest). */
export interface BankDestination {
  /** Account holder as on the bank account. */
  name: string;
  /** IBAN or local account number. */
  account: string;
  /** Routing / sort code / BIC where the country needs one. */
  routing?: string | undefined;
}

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

export interface LimitCheck {
  ok: boolean;
  /** Which limit failed: for the message and the tests. */
  limit?: 'daily' | 'monthly';
  /** What the account may still withdraw under the tightest limit (decimal string), when any limit is set. */
  remaining?: string;
}

/** Withdrawals that count against the limits: every live or completed one (not expired, refunded, errored). */
const COUNTED_STATUSES: TransactionStatus[] = [
  'pending_user_transfer_start',
  'pending_user_transfer_complete',
  'pending_anchor',
  'pending_external',
  'pending_stellar',
  'on_hold',
  'completed',
];

/**
 * Sums the account's withdrawals of the asset since `since` (amount_in, or amount_expected before payment),
 * leaving out `excludeId`. Used by the form and by the workflow (the form can be bypassed).
 */
export async function sumRecentWithdrawals(
  db: Db,
  input: { account: string; assetCode: string; since: Date; excludeId?: string },
): Promise<string> {
  let q = db
    .selectFrom('transactions')
    .select(sql<string | null>`sum(coalesce(amount_in, amount_expected, 0))`.as('total'))
    .where('kind', '=', 'withdrawal')
    .where('sub_account', '=', input.account)
    .where('asset_code', '=', input.assetCode)
    .where('status', 'in', COUNTED_STATUSES)
    .where('started_at', '>=', input.since);
  if (input.excludeId) q = q.where('id', '!=', input.excludeId);
  const row = await q.executeTakeFirst();
  return fromStroops(toStroops(trimNumeric(row?.total ?? '0')));
}

/** Postgres numeric sums may carry more than 7 places of zeros ("12.50000000"). */
function trimNumeric(value: string): string {
  const [whole, frac = ''] = value.split('.');
  const trimmed = frac.replace(/0+$/, '');
  return trimmed ? `${whole}.${trimmed.slice(0, 7)}` : whole!;
}

/** Checks `amount` against the configured per-account daily (24 h) and monthly (30 days) totals. */
export async function checkAccountLimits(
  db: Db,
  config: AppConfig,
  input: { account: string; assetCode: string; amount: string; excludeId?: string; now?: Date },
): Promise<LimitCheck> {
  const now = input.now ?? new Date();
  const windows: { limit: 'daily' | 'monthly'; max: string | undefined; ms: number }[] = [
    { limit: 'daily', max: config.withdraw.dailyLimit, ms: 86_400_000 },
    { limit: 'monthly', max: config.withdraw.monthlyLimit, ms: 30 * 86_400_000 },
  ];
  let remaining: bigint | undefined;
  for (const w of windows) {
    if (!w.max) continue;
    const used = await sumRecentWithdrawals(db, {
      account: input.account,
      assetCode: input.assetCode,
      since: new Date(now.getTime() - w.ms),
      ...(input.excludeId ? { excludeId: input.excludeId } : {}),
    });
    const left = toStroops(w.max) - toStroops(used);
    const leftClamped = left < 0n ? 0n : left;
    remaining = remaining === undefined || leftClamped < remaining ? leftClamped : remaining;
    if (compareAmounts(input.amount, fromStroops(leftClamped)) > 0) {
      return { ok: false, limit: w.limit, remaining: fromStroops(leftClamped) };
    }
  }
  return remaining === undefined ? { ok: true } : { ok: true, remaining: fromStroops(remaining) };
}

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
      const row = await db
        .updateTable('transactions')
        .set({
          memo: sql<string>`coalesce(memo, nextval('withdraw_memo_seq')::text)`,
          memo_type: 'id',
          withdraw_anchor_account: sql<string>`coalesce(withdraw_anchor_account, ${input.anchorAccount})`,
          amount_expected: input.amountExpected,
          ...(input.destinationMasked ? { to_address: input.destinationMasked } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', input.transactionId)
        .where('kind', '=', 'withdrawal')
        .returning(['memo', 'withdraw_anchor_account'])
        .executeTakeFirst();
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
      await db
        .insertInto('withdrawal_details')
        .values({ transaction_id: input.transactionId, approval_reasons: JSON.stringify(input.reasons) })
        .onConflict((oc) =>
          oc.column('transaction_id').doUpdateSet({
            approval_reasons: JSON.stringify(input.reasons),
            updated_at: new Date(),
            ...(input.decision
              ? {
                  decision: input.decision.decision,
                  decided_by: input.decision.operator,
                  decision_reason: input.decision.reason ?? null,
                  decided_at: new Date(),
                }
              : {}),
          }),
        )
        .execute();
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
      const details = await db
        .selectFrom('withdrawal_details')
        .select(['destination_ciphertext'])
        .where('transaction_id', '=', input.transactionId)
        .executeTakeFirst();
      if (!details?.destination_ciphertext) {
        throw ApplicationFailure.nonRetryable(
          'no bank destination stored for this withdrawal',
          'BankPayoutRejected',
        );
      }
      const destination = JSON.parse(
        decryptAtRest(config.withdraw.encryptionKey, details.destination_ciphertext, input.transactionId),
      ) as BankDestination;
      await db
        .updateTable('withdrawal_details')
        .set({ payout_ref: input.payoutRef, updated_at: new Date() })
        .where('transaction_id', '=', input.transactionId)
        .execute();
      const result = await rails.sendBankPayout({
        payoutRef: input.payoutRef,
        amount: input.amount,
        currency: input.currency,
        destination,
        transactionId: input.transactionId,
      });
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

    /** Sends funds back on Stellar, idempotent by `ref` (`refund-<id>`). */
    async refundWithdrawalPayment(input: {
      ref: string;
      destination: string;
      asset: { code: string; issuer: string | null };
      amount: string;
      memo: { type: 'text' | 'id' | 'hash'; value: string } | null;
    }): Promise<{ hash: string }> {
      return rails.sendPayment({
        ref: input.ref,
        destination: input.destination,
        asset: input.asset,
        amount: input.amount,
        ...(input.memo ? { memo: input.memo } : {}),
      });
    },
  };
}

export type WithdrawalActivities = ReturnType<typeof createWithdrawalActivities>;

/** The configuration a withdrawal runs under, snapshotted into the workflow input when it starts. */
export function withdrawalPolicyFromConfig(config: AppConfig): WithdrawalPolicy {
  const w = config.sep24.withdraw;
  return {
    // The account the payment observer watches (RECEIVING_ACCOUNTS, default the distribution account).
    anchorAccount: config.payments.receivingAccounts[0] ?? config.stellar.distributionAccount,
    // The anchored asset mirrors a bank currency 1:1 (USDC → USD), as in the SEP-24 serializer.
    payoutCurrency: config.stellar.assetCode.slice(0, 3).toUpperCase(),
    minAmount: w.minAmount,
    maxAmount: w.maxAmount,
    feeFixed: w.feeFixed,
    feePercent: w.feePercent,
    feeMinimum: w.feeMinimum,
    approvalThreshold: config.withdraw.approvalThreshold,
    approvalSlaSeconds: config.withdraw.approvalSlaSeconds,
    approvalSlaDefault: config.withdraw.approvalSlaDefault,
    amountMismatch: config.withdraw.amountMismatch,
    amountTolerancePercent: config.withdraw.amountTolerancePercent,
    interactiveTimeoutSeconds: config.withdraw.interactiveTimeoutSeconds,
    paymentTimeoutSeconds: config.withdraw.paymentTimeoutSeconds,
    payoutPollSeconds: config.withdraw.payoutPollSeconds,
    kycTier1MaxAmount: config.kyc.tier1MaxAmount,
  };
}

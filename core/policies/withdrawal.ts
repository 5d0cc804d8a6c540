import type { AppConfig } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { TransactionStatus } from '../../db/schema.js';
import { sumWithdrawalsSince } from '../../db/withdrawals.js';
import { compareAmounts, formatTrimmed, parseAmount, parseNumeric } from '../../stellar/money.js';

/**
 * The withdrawal policy: the configuration a withdrawal runs under (snapshotted into the workflow input, so the
 * workflow never reads the environment), the bank destination the form collects, and the per-account limits
 * that the form and the workflow both check. Used by api/sep24, the hosted withdraw pages, the withdrawal
 * activities and (as types) workflows/withdrawal.ts.
 */

export interface WithdrawalPolicy {
  /** Where the user pays (withdraw_anchor_account). */
  anchorAccount: string;
  /** Fiat currency of the bank payout. */
  payoutCurrency: string;
  minAmount: string;
  maxAmount: string;
  feeFixed: string;
  feePercent: string;
  feeMinimum: string;
  approvalThreshold: string;
  approvalSlaSeconds: number;
  approvalSlaDefault: 'wait' | 'reject';
  amountMismatch: 'adjust' | 'refund';
  amountTolerancePercent: string;
  interactiveTimeoutSeconds: number;
  paymentTimeoutSeconds: number;
  payoutPollSeconds: number;
  /** Amounts above this need KYC tier 2 (KYC_TIER1_MAX_AMOUNT). */
  kycTier1MaxAmount: string;
}

/** A bank account the fiat goes to, as the hosted form collects it (stored encrypted at rest). */
export interface BankDestination {
  /** Account holder as on the bank account. */
  name: string;
  /** IBAN or local account number. */
  account: string;
  /** Routing / sort code / BIC where the country needs one. */
  routing?: string | undefined;
}

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
  const total = await sumWithdrawalsSince(db, { ...input, statuses: COUNTED_STATUSES });
  return formatTrimmed(parseNumeric(total));
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
    const left = parseAmount(w.max) - parseNumeric(used);
    const leftClamped = left < 0n ? 0n : left;
    remaining = remaining === undefined || leftClamped < remaining ? leftClamped : remaining;
    if (compareAmounts(input.amount, formatTrimmed(leftClamped)) > 0) {
      return { ok: false, limit: w.limit, remaining: formatTrimmed(leftClamped) };
    }
  }
  return remaining === undefined ? { ok: true } : { ok: true, remaining: formatTrimmed(remaining) };
}

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

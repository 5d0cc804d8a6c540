import { compareAmounts } from '../stellar/money.js';
import type { BuildContext } from './context.js';
import type { Env } from './schema.js';

/** SEP-24 for ASSET_CODE: each direction's limits and fees (S24-04, S24-06), tokens, sessions, and deposits. */
export function buildSep24Config(e: Env, ctx: BuildContext) {
  return {
    sep24: {
      deposit: assetOperation(ctx, 'DEPOSIT', {
        enabled: e.SEP24_DEPOSIT_ENABLED,
        minAmount: e.SEP24_DEPOSIT_MIN_AMOUNT,
        maxAmount: e.SEP24_DEPOSIT_MAX_AMOUNT,
        feeFixed: e.SEP24_DEPOSIT_FEE_FIXED,
        /** Percentage points: '1.5' means 1.5 % (S24-06). */
        feePercent: e.SEP24_DEPOSIT_FEE_PERCENT,
        feeMinimum: e.SEP24_DEPOSIT_FEE_MINIMUM,
      }),
      withdraw: assetOperation(ctx, 'WITHDRAW', {
        enabled: e.SEP24_WITHDRAW_ENABLED,
        minAmount: e.SEP24_WITHDRAW_MIN_AMOUNT,
        maxAmount: e.SEP24_WITHDRAW_MAX_AMOUNT,
        feeFixed: e.SEP24_WITHDRAW_FEE_FIXED,
        /** Percentage points: '1.5' means 1.5 % (S24-06). */
        feePercent: e.SEP24_WITHDRAW_FEE_PERCENT,
        feeMinimum: e.SEP24_WITHDRAW_FEE_MINIMUM,
      }),
      claimableBalances: e.SEP24_CLAIMABLE_BALANCES,
      interactiveTokenTtlSeconds: e.SEP24_INTERACTIVE_TOKEN_TTL_SECONDS,
      sessionTtlSeconds: e.SEP24_SESSION_TTL_SECONDS,
      frameAncestors: e.SEP24_FRAME_ANCESTORS,
    },
    deposit: {
      expirySeconds: e.DEPOSIT_EXPIRY_SECONDS,
      trustTimeoutSeconds: e.DEPOSIT_TRUST_TIMEOUT_SECONDS,
      trustPollSeconds: e.DEPOSIT_TRUST_POLL_SECONDS,
      trustTimeoutAction: e.DEPOSIT_TRUST_TIMEOUT_ACTION,
      amountMismatch: e.DEPOSIT_AMOUNT_MISMATCH,
    },
  };
}

/** One direction's limits as given, after checking min ≤ max. */
function assetOperation<T extends { minAmount: string; maxAmount: string }>(
  ctx: BuildContext,
  direction: 'DEPOSIT' | 'WITHDRAW',
  op: T,
): T {
  if (compareAmounts(op.minAmount, op.maxAmount) > 0) {
    ctx.issues.push({
      key: `SEP24_${direction}_MIN_AMOUNT`,
      message: `must not exceed SEP24_${direction}_MAX_AMOUNT (${op.maxAmount})`,
    });
  }
  return op;
}

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
      frameAncestors: frameAncestors(e, ctx),
    },
    deposit: {
      expirySeconds: e.DEPOSIT_EXPIRY_SECONDS,
      trustTimeoutSeconds: e.DEPOSIT_TRUST_TIMEOUT_SECONDS,
      trustPollSeconds: e.DEPOSIT_TRUST_POLL_SECONDS,
      trustTimeoutAction: e.DEPOSIT_TRUST_TIMEOUT_ACTION,
      amountMismatch: e.DEPOSIT_AMOUNT_MISMATCH,
      /** S24-24: null = accounts are not created (a missing one is refused, S24-11). */
      accountCreation: e.DEPOSIT_ACCOUNT_CREATION
        ? { startingBalance: e.DEPOSIT_ACCOUNT_STARTING_BALANCE }
        : null,
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

/**
 * Who may frame the hosted pages (CSP frame-ancestors). The sandbox lets any wallet embed them; testnet and
 * mainnet name their wallets' origins, so a hostile site cannot frame the deposit form (clickjacking), and
 * refuse '*'. Each entry is an origin (https://wallet.example, a port or a *. subdomain allowed) or 'self'/'none'.
 */
function frameAncestors(e: Env, ctx: BuildContext): string {
  const key = 'SEP24_FRAME_ANCESTORS';
  const entries = (e.SEP24_FRAME_ANCESTORS?.trim() || (ctx.sandbox ? '*' : "'self'")).split(/\s+/);
  for (const entry of entries) {
    if (entry === '*') {
      if (!ctx.sandbox)
        ctx.issues.push({
          key,
          message: "'*' lets any site frame the hosted pages: list your wallets' origins",
        });
    } else if (entry !== "'self'" && entry !== "'none'" && !ORIGIN.test(entry)) {
      ctx.issues.push({
        key,
        message: `"${entry}" is not an origin (https://wallet.example) nor 'self' / 'none'`,
      });
    }
  }
  if (entries.includes("'none'") && entries.length > 1)
    ctx.issues.push({ key, message: "'none' cannot be combined with other sources" });
  return entries.join(' ');
}

const ORIGIN = /^https?:\/\/(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$/;

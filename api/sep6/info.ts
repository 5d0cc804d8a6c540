import type { AppConfig, Sep24AssetOperation } from '../../config/index.js';
import { FUNDING_METHODS } from '../../core/quotes/assets.js';
import { toWireNumber } from '../../stellar/money.js';

/**
 * GET /info of SEP-6 (S6-03, S6-14, S6-15, A-13): the SEP-24 limits and fees of ASSET_CODE (one asset, one
 * schedule whichever front starts the transfer), `funding_methods` matching the SEP-38 delivery methods, and the
 * deprecated withdraw `types` the validator still reads, one per funding method with no fields (KYC goes
 * through SEP-12). Exchange kinds are not offered yet.
 */
function entry(op: Sep24AssetOperation, extra: Record<string, unknown> = {}) {
  if (!op.enabled) return { enabled: false };
  return {
    enabled: true,
    authentication_required: true,
    funding_methods: FUNDING_METHODS.map((m) => m.name),
    min_amount: toWireNumber(op.minAmount),
    max_amount: toWireNumber(op.maxAmount),
    fee_fixed: toWireNumber(op.feeFixed),
    fee_percent: toWireNumber(op.feePercent),
    fee_minimum: toWireNumber(op.feeMinimum),
    ...extra,
  };
}

export function sep6Info(config: AppConfig) {
  const code = config.stellar.assetCode;
  const types = Object.fromEntries(FUNDING_METHODS.map((m) => [m.name, { fields: {} }]));
  return {
    deposit: { [code]: entry(config.sep24.deposit) },
    'deposit-exchange': { [code]: { enabled: false } },
    withdraw: { [code]: entry(config.sep24.withdraw, { types }) },
    'withdraw-exchange': { [code]: { enabled: false } },
    fee: { enabled: false, authentication_required: true },
    transactions: { enabled: true, authentication_required: true },
    transaction: { enabled: true, authentication_required: true },
    features: { account_creation: false, claimable_balances: config.sep24.claimableBalances },
  };
}

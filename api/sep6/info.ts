import type { AppConfig, Sep24AssetOperation } from '../../config/index.js';
import { FUNDING_METHODS } from '../../core/quotes/assets.js';
import { toWireNumber } from '../../stellar/money.js';

/**
 * GET /info of SEP-6 (S6-03, S6-14, S6-15, A-13): the SEP-24 limits and fees of ASSET_CODE (one asset, one
 * schedule whichever front starts the transfer), `funding_methods` matching the SEP-38 delivery methods, and the
 * deprecated withdraw `types` the validator still reads, one per funding method with no fields (KYC goes
 * through SEP-12). The `-exchange` kinds (S6-08) are on with SEP-38: they convert from or to its off-chain
 * assets, at a firm quote's price or at the price when the funds arrive; their fee is the quote's.
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

function exchangeEntry(config: AppConfig, op: Sep24AssetOperation) {
  if (!op.enabled || !config.sep38.enabled) return { enabled: false };
  return {
    enabled: true,
    authentication_required: true,
    funding_methods: FUNDING_METHODS.map((m) => m.name),
    min_amount: toWireNumber(op.minAmount),
    max_amount: toWireNumber(op.maxAmount),
  };
}

export function sep6Info(config: AppConfig) {
  const code = config.stellar.assetCode;
  const types = Object.fromEntries(FUNDING_METHODS.map((m) => [m.name, { fields: {} }]));
  return {
    deposit: { [code]: entry(config.sep24.deposit) },
    'deposit-exchange': { [code]: exchangeEntry(config, config.sep24.deposit) },
    withdraw: { [code]: entry(config.sep24.withdraw, { types }) },
    'withdraw-exchange': { [code]: exchangeEntry(config, config.sep24.withdraw) },
    fee: { enabled: false, authentication_required: true },
    transactions: { enabled: true, authentication_required: true },
    transaction: { enabled: true, authentication_required: true },
    features: {
      account_creation: config.deposit.accountCreation !== null,
      claimable_balances: config.sep24.claimableBalances,
    },
  };
}

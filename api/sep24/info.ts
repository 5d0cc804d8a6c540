import { Hono } from 'hono';
import type { Sep24AssetOperation } from '../../config/index.js';
import { toWireNumber } from '../../stellar/money.js';
import type { ApiDeps, AppEnv } from '../deps.js';

/**
 * GET /info (S24-04..07): unauthenticated. /info is the one place SEP-24 uses JSON numbers for amounts;
 * the config keeps them as decimal strings, converted only here, for display (stellar/money.ts toWireNumber).
 */
function assetEntry(op: Sep24AssetOperation) {
  if (!op.enabled) return { enabled: false };
  return {
    enabled: true,
    min_amount: toWireNumber(op.minAmount),
    max_amount: toWireNumber(op.maxAmount),
    fee_fixed: toWireNumber(op.feeFixed),
    fee_percent: toWireNumber(op.feePercent),
    fee_minimum: toWireNumber(op.feeMinimum),
  };
}

export function sep24InfoApp(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  // The answer only changes with the config, so it is built once.
  const info = {
    deposit: { [config.stellar.assetCode]: assetEntry(config.sep24.deposit) },
    withdraw: { [config.stellar.assetCode]: assetEntry(config.sep24.withdraw) },
    fee: { enabled: false },
    features: { account_creation: false, claimable_balances: config.sep24.claimableBalances },
  };
  app.get('/info', (c) => c.json(info));
  return app;
}

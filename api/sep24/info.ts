import { createRoute, z } from '@hono/zod-openapi';
import type { Sep24AssetOperation } from '../../config/index.js';
import { toWireNumber } from '../../stellar/money.js';
import type { ApiDeps } from '../deps.js';
import { createRouter } from '../openapi/hono.js';
import { json } from '../openapi/responses.js';

const assetInfo = z
  .object({
    enabled: z.boolean(),
    min_amount: z.number().optional(),
    max_amount: z.number().optional(),
    fee_fixed: z.number().optional(),
    fee_percent: z.number().optional(),
    fee_minimum: z.number().optional(),
  })
  .openapi('Sep24AssetInfo');

const infoRoute = createRoute({
  method: 'get',
  path: '/info',
  tags: ['SEP-24'],
  summary: 'Assets, limits and fees',
  responses: {
    200: json(
      z.object({
        deposit: z.record(z.string(), assetInfo),
        withdraw: z.record(z.string(), assetInfo),
        fee: z.object({ enabled: z.boolean() }),
        features: z.object({ account_creation: z.boolean(), claimable_balances: z.boolean() }),
      }),
      'what this anchor offers',
    ),
  },
});

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
  const app = createRouter();
  const { config } = deps;
  // The answer only changes with the config, so it is built once.
  const info = {
    deposit: { [config.stellar.assetCode]: assetEntry(config.sep24.deposit) },
    withdraw: { [config.stellar.assetCode]: assetEntry(config.sep24.withdraw) },
    fee: { enabled: false },
    features: {
      account_creation: config.deposit.accountCreation !== null,
      claimable_balances: config.sep24.claimableBalances,
    },
  };
  app.openapi(infoRoute, (c) => c.json(info, 200));
  return app;
}

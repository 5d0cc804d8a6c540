import { Hono } from 'hono';
import type { ApiDeps } from '../deps.js';
import type { KycContext } from '../sep12/service.js';
import { interactiveDepositApp } from './deposit.js';
import { withdrawPagesApp } from './withdraw.js';

/**
 * The hosted SEP-24 pages, mounted at /sep24/interactive: `deposit` here; `withdraw` is added the same way
 * (its own file, its own sub-app) by the withdrawal flow.
 */
export function interactiveApp(deps: ApiDeps, kyc: KycContext) {
  const app = new Hono();
  app.route('/deposit', interactiveDepositApp(deps, kyc));
  app.route('/withdraw', withdrawPagesApp(deps, { kyc }));
  return app;
}

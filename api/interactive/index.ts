import type { ApiDeps } from '../deps.js';
import { createRouter } from '../openapi/hono.js';
import type { KycContext } from '../sep12/service.js';
import { interactiveDepositApp } from './deposit.js';
import { stateApp } from './state.js';
import { withdrawPagesApp } from './withdraw.js';

/**
 * The hosted SEP-24 pages, mounted at /sep24/interactive: `deposit` and `withdraw` (one sub-app each), and
 * `state`, the few bytes of JSON their open pages poll to update themselves.
 */
export function interactiveApp(deps: ApiDeps, kyc: KycContext) {
  const app = createRouter();
  app.route('/', stateApp(deps));
  app.route('/deposit', interactiveDepositApp(deps, kyc));
  app.route('/withdraw', withdrawPagesApp(deps, { kyc }));
  return app;
}

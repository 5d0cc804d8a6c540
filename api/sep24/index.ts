import type { ApiDeps } from '../deps.js';
import { interactiveApp } from '../interactive/index.js';
import { createRouter } from '../openapi/hono.js';
import { createKycContext } from '../sep12/index.js';
import type { KycContext } from '../sep12/service.js';
import { sep24DepositApp } from './deposit.js';
import { sep24InfoApp } from './info.js';
import { sep24MoreInfoApp } from './more-info.js';
import { sep24TransactionsApp } from './transactions.js';
import { sep24WithdrawApp } from './withdraw.js';

/**
 * TRANSFER_SERVER_SEP0024 (mounted at SEP24_PATH): /info, the interactive deposit and withdraw (one sub-app each), /transaction(s), more_info and the hosted pages (S24-01).
 */
export function sep24App(deps: ApiDeps, opts: { kyc?: KycContext } = {}) {
  const app = createRouter();
  app.route('/', sep24InfoApp(deps));
  app.route('/', sep24DepositApp(deps));
  app.route('/', sep24WithdrawApp(deps));
  app.route('/', sep24TransactionsApp(deps));
  app.route('/', sep24MoreInfoApp(deps));
  app.route('/interactive', interactiveApp(deps, opts.kyc ?? createKycContext(deps)));
  return app;
}

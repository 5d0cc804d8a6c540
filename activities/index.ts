import type { Horizon } from '@stellar/stellar-sdk';
import type { AppConfig } from '../config/index.js';
import type { Db } from '../db/index.js';
import { createBankActivities } from './bank.js';
import { createHealthActivities } from './health.js';
import { createKycActivities } from './kyc.js';
import { createNotifyActivities } from './notify.js';
import { createObserverActivities } from './observer.js';
import { createQuoteActivities } from './quotes.js';
import { createRecordActivities } from './records.js';
import { createStellarActivities, type StellarActivityHooks } from './stellar.js';
import { createTopUpActivities } from './topup.js';
import { createWithdrawalActivities } from './withdrawal.js';

/** Everything activities may touch, injected so tests can hand in their own database, Horizon, bank... */
export interface ActivityDeps {
  config: AppConfig;
  db: Db;
  /** Horizon client (default: built from config.stellar); tests inject their own. */
  horizon?: Horizon.Server;
  /** Test seams inside sendPayment (crash simulation). */
  stellarHooks?: StellarActivityHooks;
}

/** All activities, one family per file. Workflows import only this function's type. */
export function createActivities(deps: ActivityDeps) {
  const families = {
    ...createHealthActivities(deps),
    ...createKycActivities(deps),
    ...createStellarActivities(deps),
    ...createObserverActivities(deps),
    ...createBankActivities(deps),
    ...createRecordActivities(deps),
    ...createNotifyActivities(deps),
    ...createTopUpActivities(deps),
    ...createQuoteActivities(deps),
  };
  // Withdrawals pay out and refund through the bank and Stellar families above.
  return {
    ...families,
    ...createWithdrawalActivities({ config: deps.config, db: deps.db, rails: families }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

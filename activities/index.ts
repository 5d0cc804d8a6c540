import type { Horizon } from '@stellar/stellar-sdk';
import type { AppConfig } from '../config/index.js';
import type { Db } from '../db/index.js';
import { createBankActivities } from './bank.js';
import { createHealthActivities } from './health.js';
import { createObserverActivities } from './observer.js';
import { createStellarActivities, type StellarActivityHooks } from './stellar.js';
import { createKycActivities } from './kyc.js';
import { createNotifyActivities } from './notify.js';
import { createRecordActivities } from './records.js';
import { createTopUpActivities } from './topup.js';

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
  return {
    ...createHealthActivities(deps),
    ...createStellarActivities(deps),
    ...createObserverActivities(deps),
    ...createBankActivities(deps),
    ...createRecordActivities(deps),
    ...createNotifyActivities(deps),
    ...createTopUpActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

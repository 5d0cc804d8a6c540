import type { AppConfig } from '../config/index.js';
import type { Db } from '../db/index.js';
import { createHealthActivities } from './health.js';
import { createKycActivities } from './kyc.js';
import { createNotifyActivities } from './notify.js';
import { createRecordActivities } from './records.js';

/** Everything activities may touch, injected so tests can hand in their own database, Horizon, bank... */
export interface ActivityDeps {
  config: AppConfig;
  db: Db;
}

/** All activities, one family per file. Workflows import only this function's type. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities(deps),
    ...createKycActivities(deps),
    ...createRecordActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

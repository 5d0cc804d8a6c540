import { hostname } from 'node:os';
import { type Db, pingDb } from '../db/index.js';
import type { HealthPingResult } from '../workflows/messages.js';

export function createHealthActivities(deps: { db: Db }) {
  return {
    async healthPing(): Promise<HealthPingResult> {
      await pingDb(deps.db);
      return {
        pong: true,
        database: 'ok',
        worker: `${hostname()}:${process.pid}`,
        at: new Date().toISOString(),
      };
    },
  };
}

/**
 * Signals, queries and updates: defined once here and imported by both the API (to send them) and the
 * workflows (to handle them). Later surfaces append their own definitions.
 */
import { defineQuery } from '@temporalio/workflow';

export interface HealthPingResult {
  pong: true;
  database: 'ok';
  worker: string;
  at: string;
}

export const healthStatusQuery = defineQuery<'running' | 'done'>('healthStatus');

import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../config/logger.js';
import type { Db } from '../db/index.js';

/** Everything the API needs, injected by api/main.ts or by tests (STYLE 8: no globals). */
export interface ApiDeps {
  config: AppConfig;
  db: Db;
  temporal: Client;
  logger: Logger;
  /** Outgoing HTTP (Horizon probes, client_domain tomls, callbacks); tests may wrap it. */
  fetch?: typeof fetch;
}

export type AppEnv = { Variables: { requestId: string } };

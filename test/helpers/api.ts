import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import type { ApiDeps } from '../../api/deps.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger, type Logger } from '../../config/logger.js';
import { createTestDb, type TestDb } from './db.js';

export interface TestApiDeps {
  deps: ApiDeps;
  tdb: TestDb;
  /** Closes the Temporal connection and drops the schema. */
  close(): Promise<void>;
}

/**
 * What createApp needs in an API test: a fresh migrated schema and a client of the test run's Temporal dev
 * server (no worker: workflows the API starts wait until a test runs one), with a silent logger by default.
 */
export async function createTestApiDeps(
  config: AppConfig,
  opts: { schemaPrefix?: string; logger?: Logger } = {},
): Promise<TestApiDeps> {
  const tdb = await createTestDb(opts.schemaPrefix);
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const deps: ApiDeps = {
    config,
    db: tdb.db,
    temporal: new Client({ connection, namespace: 'default' }),
    logger: opts.logger ?? createLogger('test', 'silent'),
  };
  return {
    deps,
    tdb,
    async close() {
      await connection.close().catch(() => {});
      await tdb.destroy();
    },
  };
}

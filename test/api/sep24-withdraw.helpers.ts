import { randomBytes } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { createApp } from '../../api/app.js';
import type { ApiDeps } from '../../api/deps.js';
import { issueToken } from '../../api/sep10/jwt.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * The withdraw endpoint over a fresh schema and the real Temporal dev server. Workflows start on a task queue
 * of this file that no worker polls: these tests look at what the request did (row, workflow, URL), not at
 * what the workflow does next (test/workflow/withdrawal.test.ts covers that).
 */
export interface WithdrawApi {
  request(path: string, init?: RequestInit): Promise<Response>;
  config: AppConfig;
  tdb: TestDb;
  temporal: Client;
  tokenFor(sub: string): Promise<string>;
  close(): Promise<void>;
}

export async function createWithdrawApi(env: Record<string, string> = {}): Promise<WithdrawApi> {
  const tdb = await createTestDb('wapi');
  const config = testConfig({ TEMPORAL_TASK_QUEUE: `wapi-${randomBytes(4).toString('hex')}`, ...env });
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const temporal = new Client({ connection });
  const deps: ApiDeps = { config, db: tdb.db, temporal, logger: createLogger('test', 'silent') };
  const app = createApp(deps);
  return {
    request: async (path, init) => app.request(path, init),
    config,
    tdb,
    temporal,
    tokenFor: (sub) => issueToken(config, { sub }),
    async close() {
      // No worker polls this queue: end the runs this file started so they don't linger on the dev server.
      const rows = await tdb.db
        .selectFrom('transactions')
        .select('id')
        .where('kind', '=', 'withdrawal')
        .execute();
      await Promise.all(
        rows.map((r) =>
          temporal.workflow
            .getHandle(`withdraw-${r.id}`)
            .terminate('test done')
            .catch(() => {}),
        ),
      );
      await connection.close().catch(() => {});
      await tdb.destroy();
    },
  };
}

export const newAccount = () => Keypair.random().publicKey();

export function jsonPost(token: string | null, body: Record<string, unknown>): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  };
}

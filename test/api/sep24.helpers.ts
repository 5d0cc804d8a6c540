import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import type { ApiDeps } from '../../api/deps.js';
import { issueToken } from '../../api/sep10/jwt.js';
import type { AppConfig } from '../../config/index.js';
import { createTestApiDeps } from '../helpers/api.js';
import { testConfig } from '../helpers/config.js';
import type { TestDb } from '../helpers/db.js';

/**
 * The whole API (createApp) over a fresh schema and the real Temporal dev server. Deposit workflows start on a
 * task queue of this file; unless a test starts a worker on it, nothing runs them, so these tests see exactly
 * what the request itself did.
 */
export interface Sep24Api {
  request(path: string, init?: RequestInit): Promise<Response>;
  config: AppConfig;
  deps: ApiDeps;
  tdb: TestDb;
  temporal: Client;
  tokenFor(sub: string, clientDomain?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * `prefix` names the schema and task queue. `noLedger` (default true) aims Horizon at a closed port, so the
 * deposit's account-existence probe is skipped; false keeps the test config's Horizon.
 */
export async function createSep24Api(
  env: Record<string, string> = {},
  opts: { prefix?: string; noLedger?: boolean } = {},
): Promise<Sep24Api> {
  const prefix = opts.prefix ?? 's24';
  const config = testConfig({
    TEMPORAL_TASK_QUEUE: `${prefix}-${randomBytes(4).toString('hex')}`,
    // Nothing listens on port 9: account-existence probes (S24-11) are skipped unless a test gives a ledger.
    ...(opts.noLedger === false ? {} : { HORIZON_URL: 'http://127.0.0.1:9' }),
    ...env,
  });
  const api = await createTestApiDeps(config, { schemaPrefix: prefix });
  const { deps, tdb } = api;
  const temporal = deps.temporal;
  const app = createApp(deps);
  return {
    request: async (path, init) => app.request(path, init),
    config,
    deps,
    tdb,
    temporal,
    tokenFor: (sub, clientDomain) => issueToken(config, { sub, ...(clientDomain ? { clientDomain } : {}) }),
    async close() {
      // No worker polls this queue: end the runs this file started so they don't linger on the dev server.
      const rows = await tdb.db.selectFrom('transactions').select(['id', 'kind']).execute();
      await Promise.all(
        rows.map((r) =>
          temporal.workflow
            .getHandle(`${r.kind === 'deposit' ? 'deposit' : 'withdraw'}-${r.id}`)
            .terminate('test done')
            .catch(() => {}),
        ),
      );
      await api.close();
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export function jsonPost(token: string | null | undefined, body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? bearer(token) : {}) },
    body: JSON.stringify(body),
  };
}

import { createHash, randomBytes } from 'node:crypto';
import { createApp } from '../../api/app.js';
import type { NewTransaction } from '../../db/schema.js';
import { insertTransaction } from '../../db/transactions.js';
import { createTestApiDeps } from '../helpers/api.js';
import { testConfig } from '../helpers/config.js';
import type { TestDb } from '../helpers/db.js';
import { transactionRow } from '../helpers/transactions.js';

export interface AdminKeyFixture {
  name: string;
  raw: string;
  scopes: string;
}

export function adminKey(name: string, scopes: string): AdminKeyFixture {
  return { name, raw: `adm_${randomBytes(24).toString('hex')}`, scopes };
}

export function adminKeysEnv(keys: AdminKeyFixture[]): string {
  return keys
    .map((k) => `${k.name}:${k.scopes}:${createHash('sha256').update(k.raw).digest('hex')}`)
    .join(';');
}

/** An app wired to a fresh schema and the real Temporal dev server of the test run. */
export async function adminTestApp(keys: AdminKeyFixture[], env: Record<string, string> = {}) {
  const config = testConfig({ ADMIN_API_KEYS: adminKeysEnv(keys), ...env });
  const api = await createTestApiDeps(config, { schemaPrefix: 'adm' });
  return {
    app: createApp(api.deps),
    config,
    db: api.tdb.db,
    temporal: api.deps.temporal,
    close: api.close,
  };
}

export function call(
  app: ReturnType<typeof createApp>,
  method: string,
  path: string,
  opts: { key?: string; bearer?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  if (opts.bearer) headers.Authorization = `Bearer ${opts.bearer}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  return app.request(path, {
    method,
    headers,
    ...(opts.body !== undefined
      ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }
      : {}),
  });
}

let seq = 0;
export async function seedTransaction(db: TestDb['db'], over: Partial<NewTransaction> = {}) {
  seq += 1;
  const account = 'GBZXN7PIRZGNMHGA7MUUUF4GWPY5AYPV6LY4UV2GL6VJGIQRXFDNMADI';
  return insertTransaction(
    db,
    transactionRow({
      id: `tx-${Date.now()}-${seq}-${randomBytes(3).toString('hex')}`,
      kind: 'withdrawal',
      status: 'pending_anchor',
      sub: account,
      sub_account: account,
      asset_code: 'USDC',
      stellar_account: account,
      amount_expected: '10',
      ...over,
    }),
  );
}

import { type Keypair, type Transaction, TransactionBuilder } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { createApp } from '../../api/app.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { testConfig } from './config.js';
import { createTestDb, type TestDb } from './db.js';

/** One in-process API over a fresh schema, for SEP-10 tests (and anyone who wants a real token). */
export interface AuthTestApp {
  app: ReturnType<typeof createApp>;
  config: AppConfig;
  tdb: TestDb;
  close(): Promise<void>;
}

export async function createAuthTestApp(
  env: Record<string, string | undefined> = {},
  opts: { fetch?: typeof fetch } = {},
): Promise<AuthTestApp> {
  const tdb = await createTestDb('auth');
  const config = testConfig({ SEP10_RATE_LIMIT_MAX: '100000', ...env });
  const connection = Connection.lazy({ address: inject('temporalAddress') });
  const app = createApp({
    config,
    db: tdb.db,
    temporal: new Client({ connection }),
    logger: createLogger('test', 'silent'),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  return {
    app,
    config,
    tdb,
    async close() {
      await connection.close().catch(() => {});
      await tdb.destroy();
    },
  };
}

type Requester = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

export async function getChallenge(app: Requester, params: Record<string, string>) {
  const res = await app.request(`/auth?${new URLSearchParams(params)}`);
  return { res, body: (await res.json()) as Record<string, string> };
}

export function signChallenge(xdr: string, passphrase: string, ...signers: Keypair[]): string {
  const tx = TransactionBuilder.fromXDR(xdr, passphrase) as Transaction;
  for (const kp of signers) tx.sign(kp);
  return tx.toXDR();
}

export async function postChallenge(app: Requester, xdr: string, encoding: 'json' | 'form' = 'json') {
  const res = await app.request('/auth', {
    method: 'POST',
    headers: {
      'Content-Type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    body:
      encoding === 'json'
        ? JSON.stringify({ transaction: xdr })
        : new URLSearchParams({ transaction: xdr }).toString(),
  });
  return { res, body: (await res.json()) as Record<string, string> };
}

/** The full SEP-10 round trip for `account` signed by `signers` (default: the account's own key). */
export async function authenticate(
  app: Requester,
  config: AppConfig,
  account: Keypair,
  opts: { memo?: string; muxedAccount?: string; signers?: Keypair[] } = {},
): Promise<string> {
  const params: Record<string, string> = { account: opts.muxedAccount ?? account.publicKey() };
  if (opts.memo) params.memo = opts.memo;
  const challenge = await getChallenge(app, params);
  if (challenge.res.status !== 200)
    throw new Error(`challenge: ${challenge.res.status} ${JSON.stringify(challenge.body)}`);
  const signed = signChallenge(
    challenge.body.transaction!,
    config.stellar.networkPassphrase,
    ...(opts.signers ?? [account]),
  );
  const token = await postChallenge(app, signed);
  if (token.res.status !== 200) throw new Error(`token: ${token.res.status} ${JSON.stringify(token.body)}`);
  return token.body.token!;
}

import { randomBytes } from 'node:crypto';
import {
  Account,
  BASE_FEE,
  Keypair,
  Memo,
  Operation,
  TimeoutInfinite,
  type Transaction,
  TransactionBuilder,
  type xdr,
} from '@stellar/stellar-sdk';
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

export interface CraftOptions {
  /** The op[0] source: the client account (G... or M...). */
  client: string;
  homeDomain?: string;
  webAuthDomain?: string | null;
  /** Seconds since epoch. */
  minTime?: number;
  maxTime?: number;
  /** Build with no upper time bound (maxTime 0). */
  infinite?: boolean;
  sequence?: string;
  /** Transaction source and signer (default: the server key). */
  source?: Keypair;
  /** Sign with this key instead of the source; null for no signature. */
  signer?: Keypair | null;
  nonceBytes?: number;
  memo?: string;
  passphrase?: string;
  /** Operations placed before (op0) or after the standard ones. */
  firstOp?: xdr.Operation;
  extraOps?: xdr.Operation[];
  clientDomain?: { domain: string; key: string };
}

/**
 * A challenge built by hand, server-signed unless told otherwise, to exercise each rule of POST /auth with an
 * envelope the real GET would never hand out.
 */
export function craftChallenge(config: AppConfig, o: CraftOptions): string {
  const server = Keypair.fromSecret(config.stellar.signingSecret);
  const source = o.source ?? server;
  const now = Math.floor(Date.now() / 1000);
  const seq = BigInt(o.sequence ?? '0') - 1n;
  const builder = new TransactionBuilder(new Account(source.publicKey(), seq.toString()), {
    fee: BASE_FEE,
    networkPassphrase: o.passphrase ?? config.stellar.networkPassphrase,
    ...(o.infinite ? {} : { timebounds: { minTime: o.minTime ?? now, maxTime: o.maxTime ?? now + 900 } }),
  });
  if (o.infinite) builder.setTimeout(TimeoutInfinite);
  builder.addOperation(
    o.firstOp ??
      Operation.manageData({
        name: `${o.homeDomain ?? config.sep10.homeDomains[0]} auth`,
        value: randomBytes(o.nonceBytes ?? 48).toString('base64'),
        source: o.client,
      }),
  );
  if (o.webAuthDomain !== null) {
    builder.addOperation(
      Operation.manageData({
        name: 'web_auth_domain',
        value: o.webAuthDomain ?? config.sep10.webAuthDomain,
        source: server.publicKey(),
      }),
    );
  }
  if (o.clientDomain) {
    builder.addOperation(
      Operation.manageData({
        name: 'client_domain',
        value: o.clientDomain.domain,
        source: o.clientDomain.key,
      }),
    );
  }
  for (const op of o.extraOps ?? []) builder.addOperation(op);
  if (o.memo) builder.addMemo(Memo.id(o.memo));
  const tx = builder.build();
  const signer = o.signer === undefined ? source : o.signer;
  if (signer) tx.sign(signer);
  return tx.toXDR();
}

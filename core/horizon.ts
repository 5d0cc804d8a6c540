import http from 'node:http';
import https from 'node:https';
import { Horizon } from '@stellar/stellar-sdk';
import type { AppConfig } from '../config/index.js';

/**
 * The anchor's one Horizon client. `horizonFor()` is the SDK's `Horizon.Server` for what needs it (submitting,
 * fee stats, time bounds, payment streams); the read-only lookups below (top-up, doctor, /ready, /metrics,
 * SEP-10 signers) are plain GETs over the Horizon REST shapes (the sandbox ledger speaks the same protocol), with
 * a timeout so a slow Horizon never hangs a probe, and one `HorizonAccount` type for what they return.
 */

export function horizonFor(config: AppConfig): Horizon.Server {
  return new Horizon.Server(config.stellar.horizonUrl, { allowHttp: config.stellar.allowHttp });
}

export interface HorizonBalance {
  asset_type: string;
  asset_code?: string;
  asset_issuer?: string;
  balance: string;
}
export interface HorizonSigner {
  key: string;
  weight: number;
  type: string;
}
export interface HorizonAccount {
  account_id: string;
  sequence: string;
  home_domain?: string;
  balances: HorizonBalance[];
  signers: HorizonSigner[];
  thresholds: { low_threshold: number; med_threshold: number; high_threshold: number };
}

export class HorizonError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HorizonError';
  }
}

export type Fetch = typeof fetch;

export async function horizonGet<T>(
  config: AppConfig,
  path: string,
  doFetch: Fetch = fetch,
  timeoutMs = 5000,
): Promise<T> {
  let res: Response;
  try {
    res = await doFetch(`${config.stellar.horizonUrl}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { Accept: 'application/json' },
    });
  } catch (err) {
    throw new HorizonError(0, `Horizon ${config.stellar.horizonUrl} unreachable: ${(err as Error).message}`);
  }
  if (!res.ok) throw new HorizonError(res.status, `Horizon GET ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The account, or undefined when Horizon says 404 (not created yet). */
export async function loadAccount(
  config: AppConfig,
  accountId: string,
  doFetch: Fetch = fetch,
): Promise<HorizonAccount | undefined> {
  try {
    return await horizonGet<HorizonAccount>(config, `/accounts/${accountId}`, doFetch);
  } catch (err) {
    if (err instanceof HorizonError && err.status === 404) return undefined;
    throw err;
  }
}

/** The anchored asset's balance line of an account (undefined: no trust line). */
export function anchoredBalance(config: AppConfig, account: HorizonAccount): HorizonBalance | undefined {
  return account.balances.find(
    (b) => b.asset_code === config.stellar.assetCode && b.asset_issuer === config.stellar.issuerAccount,
  );
}

/** Distribution balance of the anchored asset as a decimal string; '0' without a trust line or account. */
export async function distributionBalance(
  config: AppConfig,
  doFetch: Fetch = fetch,
): Promise<string | undefined> {
  const account = await loadAccount(config, config.stellar.distributionAccount, doFetch);
  if (!account) return undefined;
  return anchoredBalance(config, account)?.balance;
}

/**
 * A keep-alive GET for hot paths (SEP-10 loads the account's signers on every token request): `Horizon.Server`'s
 * `loadAccount` builds an AccountResponse (and re-validates every key in it) through axios and URI.js, which cost
 * more CPU than the rest of the token check. Resolves with the status and raw body; rejects when Horizon cannot be
 * reached or times out. A kept-alive socket the server closed just as we reused it fails at once with ECONNRESET:
 * that GET is sent again once on a fresh socket (Node's documented pattern, `request.reusedSocket`).
 */
export type HorizonRawGet = (path: string) => Promise<{ status: number; body: string }>;

export function keepAliveHorizonGet(config: AppConfig, timeoutMs = 10_000): HorizonRawGet {
  const base = new URL(
    config.stellar.horizonUrl.endsWith('/') ? config.stellar.horizonUrl : `${config.stellar.horizonUrl}/`,
  );
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && config.stellar.allowHttp)) {
    throw new Error(`HORIZON_URL must be https outside the sandbox: ${base.origin}`);
  }
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  const get = (url: URL, retried = false): Promise<{ status: number; body: string }> =>
    new Promise<{ status: number; body: string }>((resolvePromise, reject) => {
      const req = transport.get(url, { agent, headers: { Accept: 'application/json' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error('Horizon timed out')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && err.code === 'ECONNRESET') resolvePromise(get(url, true));
        else reject(err);
      });
    });
  return (path) => get(new URL(path.replace(/^\//, ''), base));
}

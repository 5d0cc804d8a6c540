import type { AppConfig } from '../config/index.js';

/**
 * Read-only Horizon lookups shared by the top-up activities, the doctor and /metrics. Plain fetch over the Horizon
 * REST shapes (the sandbox ledger speaks the same protocol), with a timeout so a slow Horizon never hangs a probe.
 */

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

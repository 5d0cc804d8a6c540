// `npm run accounts:setup`: the issuing, distribution and channel accounts the anchor pays from.
import { pathToFileURL } from 'node:url';
import {
  Asset,
  type Horizon,
  Keypair,
  Operation,
  TimeoutInfinite,
  type Transaction,
  TransactionBuilder,
} from '@stellar/stellar-sdk';
import type { AppConfig } from '../config/index.js';
import { horizonFor } from '../core/horizon.js';
import { parseAmount } from '../stellar/money.js';

/**
 * Sets up the anchor's accounts, idempotently (a second run changes nothing):
 *  - the issuing account exists and its home_domain is config.api.homeDomain (wallets find stellar.toml there);
 *  - the distribution account exists and trusts ASSET_CODE:issuer;
 *  - the distribution account holds a working balance, paid by the issuer (only while it holds none);
 *  - each channel account exists with some XLM for fees.
 *
 * Sandbox: creates accounts with friendbot and signs with the sandbox issuer key. Testnet/mainnet: never needs the
 * issuer secret. It does what the distribution key can do (trust line, channel accounts) and prints the issuer's
 * part as an unsigned transaction (XDR) to sign offline and submit.
 */

export interface AccountsSetupOptions {
  horizon?: Horizon.Server;
  /** Asset units the issuer sends to an empty distribution account. */
  workingBalance?: string;
  /** XLM each new channel account starts with (testnet/mainnet, paid by the distribution account). */
  channelStartingBalance?: string;
  log?: (line: string) => void;
}

export interface AccountsSetupResult {
  /** What this run changed (empty when everything was already set up). */
  changes: string[];
  /** testnet/mainnet: the issuer's part, unsigned, when it still has something to do. */
  unsignedIssuerXdr?: string;
}

function isNotFound(err: unknown): boolean {
  const e = err as { response?: { status?: number }; name?: string };
  return e?.response?.status === 404 || e?.name === 'NotFoundError';
}

async function load(horizon: Horizon.Server, account: string): Promise<Horizon.AccountResponse | null> {
  try {
    return await horizon.loadAccount(account);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

function trustBalance(acc: Horizon.AccountResponse, asset: Asset): string | null {
  for (const b of acc.balances) {
    const r = b as unknown as Record<string, string>;
    if (r.asset_code === asset.getCode() && r.asset_issuer === asset.getIssuer()) return r.balance ?? '0';
  }
  return null;
}

async function friendbot(config: AppConfig, account: string): Promise<void> {
  const res = await fetch(`${config.stellar.horizonUrl}/friendbot?addr=${encodeURIComponent(account)}`);
  if (!res.ok) throw new Error(`friendbot could not create ${account}: HTTP ${res.status}`);
}

async function submit(horizon: Horizon.Server, tx: Transaction): Promise<void> {
  try {
    await horizon.submitTransaction(tx, { skipMemoRequiredCheck: true });
  } catch (err) {
    const codes = (err as { response?: { data?: { extras?: { result_codes?: unknown } } } })?.response?.data
      ?.extras?.result_codes;
    throw new Error(`setup transaction failed: ${codes ? JSON.stringify(codes) : (err as Error).message}`);
  }
}

export async function setupSandboxAccounts(
  config: AppConfig,
  opts: AccountsSetupOptions = {},
): Promise<AccountsSetupResult> {
  const horizon = opts.horizon ?? horizonFor(config);
  const log = opts.log ?? (() => {});
  const sandbox = config.profile === 'sandbox';
  const issuer = config.stellar.issuerAccount;
  const distribution = Keypair.fromSecret(config.stellar.distributionSecret);
  const asset = new Asset(config.stellar.assetCode, issuer);
  const workingBalance = opts.workingBalance ?? '100000';
  const changes: string[] = [];
  const passphrase = config.stellar.networkPassphrase;
  const fee = String(Math.max(100, await horizon.fetchBaseFee().catch(() => 100)));

  // 1. Accounts exist.
  const wanted = [issuer, distribution.publicKey(), ...config.payments.channelAccounts];
  const missing: string[] = [];
  for (const account of wanted) if (!(await load(horizon, account))) missing.push(account);
  if (sandbox) {
    for (const account of missing) {
      await friendbot(config, account);
      changes.push(`created ${account} with friendbot`);
    }
  } else {
    if (missing.includes(issuer) || missing.includes(distribution.publicKey())) {
      throw new Error(
        `the issuing (${issuer}) and distribution (${distribution.publicKey()}) accounts must exist and hold XLM ` +
          `before setup (${config.profile}); fund them first (testnet: https://friendbot.stellar.org?addr=<account>)`,
      );
    }
    const channels = missing.filter((a) => config.payments.channelAccounts.includes(a));
    if (channels.length > 0) {
      const acc = (await load(horizon, distribution.publicKey()))!;
      const b = new TransactionBuilder(acc, { fee, networkPassphrase: passphrase });
      for (const ch of channels) {
        b.addOperation(
          Operation.createAccount({ destination: ch, startingBalance: opts.channelStartingBalance ?? '5' }),
        );
      }
      const tx = b.setTimeout(120).build();
      tx.sign(distribution);
      await submit(horizon, tx);
      changes.push(`created channel accounts ${channels.join(', ')} from the distribution account`);
    }
  }

  // 2. The distribution account trusts the asset (signed by the distribution key, every profile).
  let dist = (await load(horizon, distribution.publicKey()))!;
  if (trustBalance(dist, asset) === null) {
    const tx = new TransactionBuilder(dist, { fee, networkPassphrase: passphrase })
      .addOperation(Operation.changeTrust({ asset }))
      .setTimeout(120)
      .build();
    tx.sign(distribution);
    await submit(horizon, tx);
    changes.push(`distribution account trusts ${asset.getCode()}:${issuer}`);
    dist = (await load(horizon, distribution.publicKey()))!;
  }

  // 3. The issuer's part: home domain and the working balance.
  const issuerAcc = (await load(horizon, issuer))!;
  const issuerOps = [];
  if ((issuerAcc as unknown as { home_domain?: string }).home_domain !== config.api.homeDomain) {
    issuerOps.push(Operation.setOptions({ homeDomain: config.api.homeDomain }));
  }
  if (parseAmount(trustBalance(dist, asset) ?? '0') === 0n) {
    issuerOps.push(
      Operation.payment({ destination: distribution.publicKey(), asset, amount: workingBalance }),
    );
  }
  if (issuerOps.length === 0) {
    log(changes.length === 0 ? 'accounts already set up: nothing to do' : changes.join('\n'));
    return { changes };
  }
  const builder = new TransactionBuilder(issuerAcc, { fee, networkPassphrase: passphrase });
  for (const op of issuerOps) builder.addOperation(op);
  if (sandbox && config.stellar.issuerSecret) {
    const tx = builder.setTimeout(120).build();
    tx.sign(Keypair.fromSecret(config.stellar.issuerSecret));
    await submit(horizon, tx);
    changes.push(`issuer home_domain = ${config.api.homeDomain}; distribution funded as needed`);
    log(changes.join('\n'));
    return { changes };
  }
  // Offline signing takes time: no time bound; the sequence number keeps it single-use.
  const unsigned = builder.setTimeout(TimeoutInfinite).build();
  const xdr = unsigned.toEnvelope().toXDR('base64');
  log(
    [
      ...changes,
      `The issuing account ${issuer} still has to sign (the anchor never holds its key on ${config.profile}):`,
      ...issuerOps.map((op, i) => `  ${i + 1}. ${op.body().switch().name}`),
      '',
      'Unsigned transaction (XDR) — sign it offline with the issuer key (e.g. Stellar Laboratory, or',
      '`stellar tx sign`), then submit it to Horizon (POST /transactions):',
      xdr,
    ].join('\n'),
  );
  return { changes, unsignedIssuerXdr: xdr };
}

// CLI entry.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { loadDotEnv } = await import('../config/load-env.js');
  const { loadConfigOrExit } = await import('../config/index.js');
  const { installNativeEd25519 } = await import('../stellar/native-ed25519.js');
  loadDotEnv();
  installNativeEd25519();
  const config = loadConfigOrExit();
  try {
    await setupSandboxAccounts(config, { log: (line) => console.log(line) });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}

import { Keypair, Networks } from '@stellar/stellar-sdk';
import { type AuthConfig, buildAuthConfig, type Sep1Config, type Sep10Config } from './auth.js';
import { isSandboxSecret, sandboxJwtSecret, sandboxKeypair } from './sandbox-keys.js';
import { type Env, envSchema, type Profile } from './schema.js';

export { PROFILES, type Profile } from './schema.js';
export type { AuthConfig, Sep1Config, Sep10Config } from './auth.js';

export interface AppConfig {
  profile: Profile;
  logLevel: Env['LOG_LEVEL'];
  api: { host: string; port: number; publicUrl: string; homeDomain: string };
  db: { url: string; poolSize: number };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
    tls: boolean;
    apiKey: string | undefined;
  };
  stellar: {
    networkPassphrase: string;
    horizonUrl: string;
    /** Plain-http Horizon is allowed only in the sandbox profile. */
    allowHttp: boolean;
    signingSecret: string;
    signingKey: string;
    distributionSecret: string;
    distributionAccount: string;
    issuerAccount: string;
    /** Only ever set in the sandbox profile. */
    issuerSecret: string | undefined;
    assetCode: string;
  };
  sandbox: { horizonPort: number; bankPort: number; kycPort: number };
  auth: AuthConfig;
  sep10: Sep10Config;
  sep1: Sep1Config;
  sep24: {
    deposit: Sep24AssetOperation;
    withdraw: Sep24AssetOperation;
    claimableBalances: boolean;
    interactiveTokenTtlSeconds: number;
    sessionTtlSeconds: number;
    frameAncestors: string;
  };
  deposit: {
    expirySeconds: number;
    trustTimeoutSeconds: number;
    trustPollSeconds: number;
    trustTimeoutAction: 'refund' | 'error';
    amountMismatch: 'accept' | 'refund';
  };
}

/** One direction of SEP-24 for ASSET_CODE: limits and fee schedule as decimal strings (S24-04, S24-06). */
export interface Sep24AssetOperation {
  enabled: boolean;
  minAmount: string;
  maxAmount: string;
  feeFixed: string;
  feePercent: string;
  feeMinimum: string;
}

export interface ConfigIssue {
  key: string;
  message: string;
}

/** Thrown when the configuration is unusable; `issues` names every bad key (and never a secret's value). */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(
    readonly profile: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid configuration (profile ${profile}):\n` +
        issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const HORIZON_BY_PROFILE: Record<Profile, string> = {
  sandbox: '', // the local sandbox ledger; its port comes from SANDBOX_HORIZON_PORT
  testnet: 'https://horizon-testnet.stellar.org',
  mainnet: 'https://horizon.stellar.org',
};

/** The sandbox uses the Test SDF Network passphrase: wallet tools accept only the two public ones. */
const PASSPHRASE_BY_PROFILE: Record<Profile, string> = {
  sandbox: Networks.TESTNET,
  testnet: Networks.TESTNET,
  mainnet: Networks.PUBLIC,
};

type RawEnv = Record<string, string | undefined>;

/** Treat empty strings as unset, the way docker-compose and .env files usually mean them. */
function clean(env: RawEnv): RawEnv {
  const out: RawEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Parses and checks the whole configuration once. Throws ConfigError listing every problem at once. */
export function loadConfig(rawEnv: RawEnv = process.env): AppConfig {
  const env = clean(rawEnv);
  const profile = (env.PROFILE ?? 'sandbox') as Profile;
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      key: i.path.join('.') || '(root)',
      message: i.message,
    }));
    throw new ConfigError(profile, issues);
  }
  const e = parsed.data;
  const issues: ConfigIssue[] = [];
  const sandbox = e.PROFILE === 'sandbox';

  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.API_PORT}`).replace(/\/+$/, '');
  const horizonUrl = (
    e.HORIZON_URL ?? (sandbox ? `http://localhost:${e.SANDBOX_HORIZON_PORT}` : HORIZON_BY_PROFILE[e.PROFILE])
  ).replace(/\/+$/, '');

  if (!sandbox) {
    const required: (keyof Env)[] = [
      'SIGNING_SECRET',
      'DISTRIBUTION_SECRET',
      'ISSUER_PUBLIC_KEY',
    ];
    for (const key of required) {
      if (!e[key]) issues.push({ key, message: `required for the ${e.PROFILE} profile` });
    }
    for (const key of ['SIGNING_SECRET', 'DISTRIBUTION_SECRET', 'JWT_SECRET'] as const) {
      const v = e[key];
      if (v && isSandboxSecret(v)) {
        issues.push({
          key,
          message: `is a publicly known sandbox secret; generate a new one for ${e.PROFILE}`,
        });
      }
    }
    if (e.ISSUER_SECRET) {
      issues.push({
        key: 'ISSUER_SECRET',
        message: `must not be set for ${e.PROFILE}: keep the issuer in cold storage; top-ups are signed offline`,
      });
    }
  }
  if (e.PROFILE === 'mainnet') {
    if (!e.PUBLIC_URL) issues.push({ key: 'PUBLIC_URL', message: 'required for the mainnet profile' });
    const urls: [keyof Env, string][] = [
      ['PUBLIC_URL', publicUrl],
      ['HORIZON_URL', horizonUrl],
      ['TEMPORAL_UI_URL', e.TEMPORAL_UI_URL],
    ];
    for (const [key, value] of urls) {
      if (e[key] !== undefined && !value.startsWith('https://')) {
        issues.push({ key, message: 'must be an https:// URL on mainnet' });
      }
    }
  }
  const signing = e.SIGNING_SECRET ?? sandboxKeypair('signing').secret();
  const distribution = e.DISTRIBUTION_SECRET ?? sandboxKeypair('distribution').secret();
  const issuerAccount = e.ISSUER_PUBLIC_KEY ?? sandboxKeypair('issuer').publicKey();
  const signingKey = safePublicKey(signing);
  const distributionAccount = safePublicKey(distribution);
  if (signingKey && distributionAccount && signingKey === distributionAccount) {
    issues.push({ key: 'SIGNING_SECRET', message: 'must differ from DISTRIBUTION_SECRET' });
  }
  if (issuerAccount === distributionAccount) {
    issues.push({
      key: 'DISTRIBUTION_SECRET',
      message: 'the distribution account must not be the issuing account',
    });
  }
  const authBlocks = buildAuthConfig(
    e,
    { profile: e.PROFILE, publicUrl, homeDomain: e.HOME_DOMAIN ?? new URL(publicUrl).host, sandboxJwtSecret: sandboxJwtSecret() },
    issues,
  );
  if (issues.length > 0) throw new ConfigError(e.PROFILE, issues);

  return {
    profile: e.PROFILE,
    logLevel: e.LOG_LEVEL,
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicUrl,
      homeDomain: e.HOME_DOMAIN ?? new URL(publicUrl).host,
    },
    db: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL.replace(/\/+$/, ''),
      tls: e.TEMPORAL_TLS,
      apiKey: e.TEMPORAL_API_KEY,
    },
    stellar: {
      networkPassphrase: PASSPHRASE_BY_PROFILE[e.PROFILE],
      horizonUrl,
      allowHttp: sandbox,
      signingSecret: signing,
      signingKey: signingKey!,
      distributionSecret: distribution,
      distributionAccount: distributionAccount!,
      issuerAccount,
      issuerSecret: sandbox ? (e.ISSUER_SECRET ?? sandboxKeypair('issuer').secret()) : undefined,
      assetCode: e.ASSET_CODE,
    },
    sandbox: {
      horizonPort: e.SANDBOX_HORIZON_PORT,
      bankPort: e.SANDBOX_BANK_PORT,
      kycPort: e.SANDBOX_KYC_PORT,
    },
    ...authBlocks,
    sep24: {
      deposit: {
        enabled: e.SEP24_DEPOSIT_ENABLED,
        minAmount: e.SEP24_DEPOSIT_MIN_AMOUNT,
        maxAmount: e.SEP24_DEPOSIT_MAX_AMOUNT,
        feeFixed: e.SEP24_DEPOSIT_FEE_FIXED,
        feePercent: e.SEP24_DEPOSIT_FEE_PERCENT,
        feeMinimum: e.SEP24_DEPOSIT_FEE_MINIMUM,
      },
      withdraw: {
        enabled: e.SEP24_WITHDRAW_ENABLED,
        minAmount: e.SEP24_WITHDRAW_MIN_AMOUNT,
        maxAmount: e.SEP24_WITHDRAW_MAX_AMOUNT,
        feeFixed: e.SEP24_WITHDRAW_FEE_FIXED,
        feePercent: e.SEP24_WITHDRAW_FEE_PERCENT,
        feeMinimum: e.SEP24_WITHDRAW_FEE_MINIMUM,
      },
      claimableBalances: e.SEP24_CLAIMABLE_BALANCES,
      interactiveTokenTtlSeconds: e.SEP24_INTERACTIVE_TOKEN_TTL_SECONDS,
      sessionTtlSeconds: e.SEP24_SESSION_TTL_SECONDS,
      frameAncestors: e.SEP24_FRAME_ANCESTORS,
    },
    deposit: {
      expirySeconds: e.DEPOSIT_EXPIRY_SECONDS,
      trustTimeoutSeconds: e.DEPOSIT_TRUST_TIMEOUT_SECONDS,
      trustPollSeconds: e.DEPOSIT_TRUST_POLL_SECONDS,
      trustTimeoutAction: e.DEPOSIT_TRUST_TIMEOUT_ACTION,
      amountMismatch: e.DEPOSIT_AMOUNT_MISMATCH,
    },
  };
}

function safePublicKey(secret: string): string | undefined {
  try {
    return Keypair.fromSecret(secret).publicKey();
  } catch {
    return undefined;
  }
}

/**
 * Entry points call this: on a bad config it prints the one clear message and exits non-zero, with no stack.
 */
export function loadConfigOrExit(env: RawEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every key and its meaning.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

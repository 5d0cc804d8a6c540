import { Keypair, Networks } from '@stellar/stellar-sdk';
import { compareAmounts } from '../stellar/fees.js';
import { installNativeEd25519 } from '../stellar/native-ed25519.js';
import { type AdminKey, parseAdminKeys } from './admin-keys.js';
import { type AuthConfig, buildAuthConfig, type Sep1Config, type Sep10Config } from './auth.js';
import { buildPaymentsConfig, type PaymentsConfig } from './payments.js';
import {
  isSandboxSecret,
  SANDBOX_ANCHOR_BANK_ACCOUNT,
  SANDBOX_BANK_API_KEY,
  SANDBOX_BANK_WEBHOOK_SECRET,
  SANDBOX_KYC_WEBHOOK_SECRET,
  sandboxJwtSecret,
  sandboxKeypair,
  sandboxWithdrawEncryptionKey,
} from './sandbox-keys.js';
import { type DEPOSIT_MATCHING_STRATEGIES, type Env, envSchema, type Profile } from './schema.js';

// Every process that loads the config signs and verifies Stellar signatures natively (see the module).
installNativeEd25519();

export type { AuthConfig, Sep1Config, Sep10Config } from './auth.js';
export type { PaymentsConfig } from './payments.js';
export { PROFILES, type Profile } from './schema.js';
export type DepositMatching = (typeof DEPOSIT_MATCHING_STRATEGIES)[number];

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
  sandbox: {
    horizonPort: number;
    bankPort: number;
    kycPort: number;
    horizon: {
      ledgerCloseMs: number;
      maxOpsPerLedger: number;
      /** 'FROM>TO' (assets as 'native' or 'CODE:ISSUER') → destination units per source unit */
      pathPaymentRates: Record<string, string>;
    };
  };
  payments: PaymentsConfig;
  bank: {
    apiUrl: string;
    apiKey: string;
    webhookSecret: string;
    webhookToleranceSeconds: number;
    pollIntervalSeconds: number;
    depositMatching: DepositMatching;
    /** Fiat currency of the bank account: the only one a deposit is credited in. */
    currency: string;
    /** Where the sandbox bank delivers its webhooks. */
    sandboxWebhookUrl: string;
    /** The anchor's own bank account shown to depositing users; undefined: the page shows only the reference. */
    anchorAccount: string | undefined;
  };
  auth: AuthConfig;
  sep10: Sep10Config;
  sep1: Sep1Config;
  ops: OpsConfig;
  withdraw: WithdrawConfig;
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
  kyc: KycConfig;
}

/** SEP-12 KYC (issue 6). Amounts are decimal strings. */
export interface KycConfig {
  /** Amounts up to this (inclusive) need tier 1; above it tier 2. */
  tier1MaxAmount: string;
  /** Fields confirmed with a code before KYC proceeds (sandbox only). */
  verifyFields: ('mobile_number' | 'email_address')[];
  sandboxVerificationCode: string;
  uploadDir: string;
  uploadMaxBytes: number;
  providerUrl: string;
  providerApiKey: string | undefined;
  webhookSecret: string;
  webhookToleranceSeconds: number;
  checkResendSeconds: number;
  sandboxDelayMs: number;
  /** Where the sandbox KYC provider delivers its webhooks. */
  sandboxWebhookUrl: string;
}

/** Operations (issue 9): admin API keys and the distribution top-up schedule. Amounts are decimal strings. */
export interface OpsConfig {
  adminKeys: AdminKey[];
  topUp: {
    /** Cron (UTC) when set; otherwise `interval` (a duration like 1h). */
    cron: string | undefined;
    interval: string;
    threshold: string;
    target: string;
    signatureTimeout: string;
  };
  distributionAlertBalance: string;
  /** host:port of the worker's SDK Prometheus exporter, or undefined (off). */
  workerMetricsAddress: string | undefined;
}

/** SEP-24 withdrawals beyond the shared limits/fees in `sep24.withdraw`. Amounts are decimal strings. */
export interface WithdrawConfig {
  /** 32-byte AES-256-GCM key, hex. */
  encryptionKey: string;
  approvalThreshold: string;
  approvalSlaSeconds: number;
  approvalSlaDefault: 'wait' | 'reject';
  amountMismatch: 'adjust' | 'refund';
  amountTolerancePercent: string;
  dailyLimit: string | undefined;
  monthlyLimit: string | undefined;
  interactiveTimeoutSeconds: number;
  paymentTimeoutSeconds: number;
  payoutPollSeconds: number;
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
    const required: (keyof Env)[] = ['SIGNING_SECRET', 'DISTRIBUTION_SECRET', 'ISSUER_PUBLIC_KEY'];
    for (const key of required) {
      if (!e[key]) issues.push({ key, message: `required for the ${e.PROFILE} profile` });
    }
    if (!e.WITHDRAW_ENCRYPTION_KEY) {
      issues.push({ key: 'WITHDRAW_ENCRYPTION_KEY', message: `required for the ${e.PROFILE} profile` });
    }
    for (const key of [
      'SIGNING_SECRET',
      'DISTRIBUTION_SECRET',
      'JWT_SECRET',
      'WITHDRAW_ENCRYPTION_KEY',
    ] as const) {
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
  // The bank may be the sandbox bank on testnet too; only mainnet must bring its own bank and secrets.
  if (e.PROFILE === 'mainnet') {
    for (const key of ['BANK_API_URL', 'BANK_API_KEY', 'BANK_WEBHOOK_SECRET'] as const) {
      if (!e[key]) issues.push({ key, message: 'required for the mainnet profile' });
    }
    if (e.BANK_API_URL && !e.BANK_API_URL.startsWith('https://')) {
      issues.push({ key: 'BANK_API_URL', message: 'must be an https:// URL on mainnet' });
    }
    if (e.BANK_API_KEY === SANDBOX_BANK_API_KEY || e.BANK_WEBHOOK_SECRET === SANDBOX_BANK_WEBHOOK_SECRET) {
      issues.push({
        key: e.BANK_API_KEY === SANDBOX_BANK_API_KEY ? 'BANK_API_KEY' : 'BANK_WEBHOOK_SECRET',
        message: 'is the publicly known sandbox value; use the one your bank issued',
      });
    }
  }
  if (!sandbox) {
    if (!e.KYC_WEBHOOK_SECRET) {
      issues.push({ key: 'KYC_WEBHOOK_SECRET', message: `required for the ${e.PROFILE} profile` });
    } else if (e.KYC_WEBHOOK_SECRET === SANDBOX_KYC_WEBHOOK_SECRET) {
      issues.push({
        key: 'KYC_WEBHOOK_SECRET',
        message: "is the publicly known sandbox value; use your provider's",
      });
    }
    if (e.KYC_VERIFY_FIELDS.trim() !== '') {
      issues.push({
        key: 'KYC_VERIFY_FIELDS',
        message: `no SMS/email sender is configured for ${e.PROFILE}; leave it empty (sandbox codes only)`,
      });
    }
  }
  if (e.PROFILE === 'mainnet' && !e.KYC_PROVIDER_URL?.startsWith('https://')) {
    issues.push({ key: 'KYC_PROVIDER_URL', message: 'required on mainnet, as an https:// URL' });
  }
  const adminKeys = parseAdminKeys(e.ADMIN_API_KEYS);
  for (const message of adminKeys.errors) issues.push({ key: 'ADMIN_API_KEYS', message });
  if (decimalCompare(e.TOPUP_TARGET, e.TOPUP_THRESHOLD) <= 0) {
    issues.push({ key: 'TOPUP_TARGET', message: 'must be greater than TOPUP_THRESHOLD' });
  }
  const authBlocks = buildAuthConfig(
    e,
    {
      profile: e.PROFILE,
      publicUrl,
      homeDomain: e.HOME_DOMAIN ?? new URL(publicUrl).host,
      sandboxJwtSecret: sandboxJwtSecret(),
    },
    issues,
  );
  const payments = buildPaymentsConfig(e, distributionAccount, issues);
  for (const [dir, min, max] of [
    ['DEPOSIT', e.SEP24_DEPOSIT_MIN_AMOUNT, e.SEP24_DEPOSIT_MAX_AMOUNT],
    ['WITHDRAW', e.SEP24_WITHDRAW_MIN_AMOUNT, e.SEP24_WITHDRAW_MAX_AMOUNT],
  ] as const) {
    if (compareAmounts(min, max) > 0) {
      issues.push({
        key: `SEP24_${dir}_MIN_AMOUNT`,
        message: `must not exceed SEP24_${dir}_MAX_AMOUNT (${max})`,
      });
    }
  }
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
    payments,
    sandbox: {
      horizonPort: e.SANDBOX_HORIZON_PORT,
      bankPort: e.SANDBOX_BANK_PORT,
      kycPort: e.SANDBOX_KYC_PORT,
      horizon: {
        ledgerCloseMs: e.SANDBOX_HORIZON_LEDGER_CLOSE_MS,
        maxOpsPerLedger: e.SANDBOX_HORIZON_MAX_OPS_PER_LEDGER,
        pathPaymentRates: Object.fromEntries(
          (e.SANDBOX_HORIZON_PATH_PAYMENT_RATES ?? '')
            .split(',')
            .filter(Boolean)
            .map((pair) => pair.split('=') as [string, string]),
        ),
      },
    },
    bank: {
      apiUrl: (e.BANK_API_URL ?? `http://localhost:${e.SANDBOX_BANK_PORT}`).replace(/\/+$/, ''),
      apiKey: e.BANK_API_KEY ?? SANDBOX_BANK_API_KEY,
      webhookSecret: e.BANK_WEBHOOK_SECRET ?? SANDBOX_BANK_WEBHOOK_SECRET,
      webhookToleranceSeconds: e.BANK_WEBHOOK_TOLERANCE_SECONDS,
      pollIntervalSeconds: e.BANK_POLL_INTERVAL_SECONDS,
      depositMatching: e.DEPOSIT_MATCHING,
      currency: e.BANK_CURRENCY ?? e.ASSET_CODE.slice(0, 3).toUpperCase(),
      sandboxWebhookUrl: e.SANDBOX_BANK_WEBHOOK_URL ?? `${publicUrl}/webhooks/bank`,
      anchorAccount: e.ANCHOR_BANK_ACCOUNT ?? (sandbox ? SANDBOX_ANCHOR_BANK_ACCOUNT : undefined),
    },
    ...authBlocks,
    ops: {
      adminKeys: adminKeys.keys,
      topUp: {
        cron: e.TOPUP_CRON,
        interval: e.TOPUP_INTERVAL,
        threshold: e.TOPUP_THRESHOLD,
        target: e.TOPUP_TARGET,
        signatureTimeout: e.TOPUP_SIGNATURE_TIMEOUT,
      },
      distributionAlertBalance: e.DISTRIBUTION_ALERT_BALANCE,
      workerMetricsAddress: e.WORKER_METRICS_ADDRESS,
    },
    withdraw: {
      encryptionKey: (e.WITHDRAW_ENCRYPTION_KEY ?? sandboxWithdrawEncryptionKey()).toLowerCase(),
      approvalThreshold: e.WITHDRAW_APPROVAL_THRESHOLD,
      approvalSlaSeconds: e.WITHDRAW_APPROVAL_SLA_SECONDS,
      approvalSlaDefault: e.WITHDRAW_APPROVAL_SLA_DEFAULT,
      amountMismatch: e.WITHDRAW_AMOUNT_MISMATCH,
      amountTolerancePercent: e.WITHDRAW_AMOUNT_TOLERANCE_PERCENT,
      dailyLimit: e.WITHDRAW_DAILY_LIMIT,
      monthlyLimit: e.WITHDRAW_MONTHLY_LIMIT,
      interactiveTimeoutSeconds: e.WITHDRAW_INTERACTIVE_TIMEOUT_SECONDS,
      paymentTimeoutSeconds: e.WITHDRAW_PAYMENT_TIMEOUT_SECONDS,
      payoutPollSeconds: e.WITHDRAW_PAYOUT_POLL_SECONDS,
    },
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
    kyc: {
      tier1MaxAmount: e.KYC_TIER1_MAX_AMOUNT,
      verifyFields: e.KYC_VERIFY_FIELDS.split(',')
        .map((x) => x.trim())
        .filter(
          (x): x is 'mobile_number' | 'email_address' => x === 'mobile_number' || x === 'email_address',
        ),
      sandboxVerificationCode: e.KYC_SANDBOX_VERIFICATION_CODE,
      uploadDir: e.KYC_UPLOAD_DIR,
      uploadMaxBytes: e.KYC_UPLOAD_MAX_BYTES,
      providerUrl: (e.KYC_PROVIDER_URL ?? `http://localhost:${e.SANDBOX_KYC_PORT}`).replace(/\/+$/, ''),
      providerApiKey: e.KYC_PROVIDER_API_KEY,
      webhookSecret: e.KYC_WEBHOOK_SECRET ?? SANDBOX_KYC_WEBHOOK_SECRET,
      webhookToleranceSeconds: e.KYC_WEBHOOK_TOLERANCE_SECONDS,
      checkResendSeconds: e.KYC_CHECK_RESEND_SECONDS,
      sandboxDelayMs: e.SANDBOX_KYC_DELAY_MS,
      sandboxWebhookUrl: e.SANDBOX_KYC_WEBHOOK_URL ?? `${publicUrl}/webhooks/kyc`,
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

/** Compares two non-negative decimal strings (≤ 7 places) without floats. */
function decimalCompare(a: string, b: string): number {
  const stroops = (v: string) => {
    const [int, frac = ''] = v.split('.');
    return BigInt(int!) * 10_000_000n + BigInt(frac.padEnd(7, '0'));
  };
  const d = stroops(a) - stroops(b);
  return d === 0n ? 0 : d > 0n ? 1 : -1;
}

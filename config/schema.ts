import { z } from 'zod';
import { parseKeyRing } from '../stellar/crypto.js';
import { amountSchema, percentSchema } from '../stellar/money.js';
import { JWT_ALGORITHMS } from './jwt-keys.js';
import { sep38Env } from './sep38-env.js';

/**
 * Every setting the anchor reads, as environment variables. This one schema is the source of truth for
 * `.env.example`, the docker-compose check and start-up validation. Each key says what it is for in `.describe()`.
 *
 * Sections are kept apart so that each surface (SEP-10, SEP-12, SEP-24, operations) owns a block.
 */

export const PROFILES = ['sandbox', 'testnet', 'mainnet'] as const;
export type Profile = (typeof PROFILES)[number];

const port = z.coerce.number().int().min(1).max(65535);
const url = z.url({ protocol: /^https?$/ });
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const stellarSecret = z.string().regex(/^S[A-Z2-7]{55}$/, 'must be a Stellar secret seed (S...)');
const stellarPublic = z.string().regex(/^G[A-Z2-7]{55}$/, 'must be a Stellar public key (G...)');

export const coreEnv = {
  PROFILE: z
    .enum(PROFILES)
    .default('sandbox')
    .describe('sandbox (offline, local simulators) | testnet | mainnet'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level'),
  API_HOST: z.string().default('0.0.0.0').describe('address the API listens on'),
  API_PORT: port.default(8000).describe('port the API listens on'),
  PUBLIC_URL: url
    .optional()
    .describe(
      'public base URL of the API, used in stellar.toml and interactive URLs (default http://localhost:API_PORT)',
    ),
  HOME_DOMAIN: z
    .string()
    .optional()
    .describe('home domain that serves stellar.toml (default: the host of PUBLIC_URL)'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://anchor:anchor@127.0.0.1:54329/anchor')
    .describe('Postgres connection string'),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(10)
    .describe('pg pool size per process'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233').describe('Temporal frontend host:port'),
  TEMPORAL_NAMESPACE: z.string().default('default').describe('Temporal namespace'),
  TEMPORAL_TASK_QUEUE: z.string().default('anchor').describe('task queue the worker polls'),
  TEMPORAL_UI_URL: url
    .default('http://localhost:8233')
    .describe('Temporal Web UI, linked from the admin API'),
  TEMPORAL_TLS: bool
    .default(false)
    .describe('connect to Temporal with TLS (Temporal Cloud, self-hosted TLS)'),
  TEMPORAL_API_KEY: z.string().optional().describe('Temporal Cloud API key (secret)'),
};

export const stellarEnv = {
  HORIZON_URL: url
    .optional()
    .describe(
      'Horizon URL (default: sandbox http://localhost:8001, testnet https://horizon-testnet.stellar.org, mainnet https://horizon.stellar.org)',
    ),
  SIGNING_SECRET: stellarSecret
    .optional()
    .describe('SEP-10 server account secret; its public key is SIGNING_KEY in stellar.toml (secret)'),
  DISTRIBUTION_SECRET: stellarSecret
    .optional()
    .describe('distribution account secret: pays deposits, receives withdrawals (secret)'),
  ISSUER_PUBLIC_KEY: stellarPublic
    .optional()
    .describe('issuing account public key; the issuer secret is never needed outside the sandbox'),
  ISSUER_SECRET: stellarSecret
    .optional()
    .describe('issuing account secret: accepted only in the sandbox profile (secret)'),
  ASSET_CODE: z
    .string()
    .regex(/^[A-Za-z0-9]{1,12}$/, 'must be 1-12 letters or digits')
    .default('USDC')
    .describe('code of the asset this anchor issues'),
  SANDBOX_HORIZON_PORT: port.default(8001).describe('port of the sandbox Horizon-compatible ledger'),
  SANDBOX_BANK_PORT: port.default(8002).describe('port of the sandbox bank'),
  SANDBOX_KYC_PORT: port.default(8003).describe('port of the sandbox KYC provider'),
};

export const authEnv = {
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('HS256 secret for SEP-10 tokens (secret; required outside the sandbox)'),
  JWT_EXPIRES_IN_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(86_400)
    .describe('SEP-10 token lifetime in seconds (at most 24 h)'),
  JWT_ALGORITHM: z
    .enum(JWT_ALGORITHMS)
    .default('HS256')
    .describe('SEP-10 token signature: HS256 (JWT_SECRET) or EdDSA / ES256 (JWT_PRIVATE_KEY)'),
  JWT_PRIVATE_KEY: z
    .string()
    .optional()
    .describe(
      'EdDSA (Ed25519) or ES256 (P-256) private key as PKCS#8 PEM (\\n escapes allowed) or JWK JSON (secret)',
    ),
  JWT_PREVIOUS_ALGORITHM: z
    .enum(JWT_ALGORITHMS)
    .optional()
    .describe('algorithm of the key being rotated out (default: JWT_ALGORITHM)'),
  JWT_PREVIOUS_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('rotated-out HS256 secret: its tokens stay valid until they expire (secret)'),
  JWT_PREVIOUS_PUBLIC_KEY: z
    .string()
    .optional()
    .describe(
      'rotated-out EdDSA/ES256 key (PEM or JWK; a private key works too): its tokens stay valid until they expire',
    ),
  JWT_PREVIOUS_ACCEPT_UNTIL: z.iso
    .datetime({ offset: true })
    .optional()
    .describe(
      'stop accepting the previous key at this ISO 8601 time (rotation time + JWT_EXPIRES_IN_SECONDS)',
    ),
  SEP10_HOME_DOMAINS: z
    .string()
    .optional()
    .describe(
      'comma-separated home domains SEP-10 authenticates for; the first is the default (default: HOME_DOMAIN)',
    ),
  SEP10_WEB_AUTH_DOMAIN: z
    .string()
    .optional()
    .describe(
      'the web_auth_domain challenge value (S10-13): a host, optionally with :port (default: the host of PUBLIC_URL; in the sandbox its hostname without the port, which the official wallet SDK compares against)',
    ),
  SEP10_CHALLENGE_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(3600)
    .default(900)
    .describe('challenge lifetime: maxTime - minTime (S10-10 recommends 15 min)'),
  SEP10_CLIENT_DOMAIN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(30_000)
    .default(3000)
    .describe('timeout fetching a client_domain stellar.toml for its SIGNING_KEY (S10-05)'),
  SEP10_RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .default(120)
    .describe('requests per client IP per window on each of GET and POST /auth (0 disables the limit)'),
  SEP10_RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(60)
    .describe('rate-limit window for SEP10_RATE_LIMIT_MAX'),
  TRUSTED_PROXY_HOPS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10)
    .default(0)
    .describe(
      'reverse proxies in front of the API; >0 takes the client IP from X-Forwarded-For (rate limits)',
    ),
};

/** SEP-1 stellar.toml: the [DOCUMENTATION] block and the [[CURRENCIES]] entry of ASSET_CODE. */
export const sep1Env = {
  ORG_NAME: z.string().max(200).default('Sandbox Anchor Ltd.').describe('legal name of the organization'),
  ORG_URL: url
    .optional()
    .describe('official website; the toml is hosted on its domain (default: PUBLIC_URL)'),
  ORG_LOGO: url
    .optional()
    .describe(
      'PNG logo on a transparent background (default: a built-in logo at PUBLIC_URL/.well-known/logo.png)',
    ),
  ORG_DESCRIPTION: z
    .string()
    .max(1000)
    .default('Sandbox Stellar anchor: SEP-24 deposits and withdrawals as durable Temporal workflows.')
    .describe('short description of the organization'),
  ORG_PHYSICAL_ADDRESS: z
    .string()
    .max(500)
    .default('1 Sandbox Street, Testville 00000, Nowhere')
    .describe('physical address of the organization'),
  ORG_OFFICIAL_EMAIL: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address')
    .optional()
    .describe('business contact at the ORG_URL domain (default: anchor@<host of ORG_URL>)'),
  ORG_SUPPORT_EMAIL: z
    .string()
    .regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address')
    .optional()
    .describe('user support contact (default: support@<host of ORG_URL>)'),
  ASSET_STATUS: z
    .enum(['live', 'dead', 'test', 'private'])
    .optional()
    .describe('[[CURRENCIES]] status (default: live on mainnet, test otherwise)'),
  ASSET_DISPLAY_DECIMALS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7)
    .default(2)
    .describe('[[CURRENCIES]] display_decimals'),
  ASSET_NAME: z
    .string()
    .max(20)
    .optional()
    .describe('[[CURRENCIES]] name, at most 20 characters (default: ASSET_CODE)'),
  ASSET_DESC: z
    .string()
    .max(1000)
    .optional()
    .describe('[[CURRENCIES]] desc (default: a sentence naming ASSET_ANCHOR_ASSET)'),
  ASSET_IS_ANCHORED: bool.default(true).describe('[[CURRENCIES]] is_asset_anchored'),
  ASSET_ANCHOR_TYPE: z
    .enum(['fiat', 'crypto', 'nft', 'stock', 'bond', 'commodity', 'realestate', 'other'])
    .default('fiat')
    .describe('[[CURRENCIES]] anchor_asset_type'),
  ASSET_ANCHOR_ASSET: z
    .string()
    .max(100)
    .default('USD')
    .describe('[[CURRENCIES]] anchor_asset: what one token redeems for'),
  ASSET_REDEMPTION_INSTRUCTIONS: z
    .string()
    .max(1000)
    .default('Withdraw to a bank account with any SEP-24 wallet.')
    .describe('[[CURRENCIES]] redemption_instructions'),
  SEP1_EXTRA_ACCOUNTS: z
    .string()
    .regex(/^(G[A-Z2-7]{55})?(,G[A-Z2-7]{55})*$/, 'must be comma-separated G... public keys')
    .default('')
    .describe(
      'more G... accounts this domain controls, listed in ACCOUNTS besides the issuer and distribution accounts',
    ),
};

/** SEP-24 (hosted deposit/withdraw) and the deposit workflow. Amounts are decimal strings (never JS numbers). */
const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const sep24Env = {
  SEP24_DEPOSIT_ENABLED: bool.default(true).describe('offer SEP-24 deposits of ASSET_CODE'),
  SEP24_DEPOSIT_MIN_AMOUNT: amountSchema.default('1').describe('smallest deposit accepted'),
  SEP24_DEPOSIT_MAX_AMOUNT: amountSchema.default('10000').describe('largest deposit accepted'),
  SEP24_DEPOSIT_FEE_FIXED: amountSchema.default('0').describe('fixed deposit fee (asset units)'),
  SEP24_DEPOSIT_FEE_PERCENT: percentSchema
    .default('0')
    .describe('deposit fee in percentage points of the amount (S24-06: 1.5 means 1.5 %)'),
  SEP24_DEPOSIT_FEE_MINIMUM: amountSchema.default('0').describe('floor of the total deposit fee'),
  SEP24_WITHDRAW_ENABLED: bool.default(true).describe('offer SEP-24 withdrawals of ASSET_CODE'),
  SEP24_WITHDRAW_MIN_AMOUNT: amountSchema.default('1').describe('smallest withdrawal accepted'),
  SEP24_WITHDRAW_MAX_AMOUNT: amountSchema.default('10000').describe('largest withdrawal accepted'),
  SEP24_WITHDRAW_FEE_FIXED: amountSchema.default('0').describe('fixed withdrawal fee (asset units)'),
  SEP24_WITHDRAW_FEE_PERCENT: percentSchema
    .default('0')
    .describe('withdrawal fee in percentage points of the amount (S24-06)'),
  SEP24_WITHDRAW_FEE_MINIMUM: amountSchema.default('0').describe('floor of the total withdrawal fee'),
  SEP24_CLAIMABLE_BALANCES: bool
    .default(false)
    .describe(
      'features.claimable_balances: pay wallets that support it with a claimable balance when the trust line is missing (S24-26)',
    ),
  SEP24_INTERACTIVE_TOKEN_TTL_SECONDS: seconds(30, 3600)
    .default(300)
    .describe('lifetime of the one-time token in the interactive URL (S24-18)'),
  SEP24_SESSION_TTL_SECONDS: seconds(60, 86_400)
    .default(3600)
    .describe('lifetime of the hosted-pages session the one-time token opens'),
  SEP24_FRAME_ANCESTORS: z
    .string()
    .optional()
    .describe(
      "CSP frame-ancestors of the hosted pages: the wallet origins that may embed them in an iframe, space-separated (https://wallet.example 'self'); default '*' in the sandbox, 'self' elsewhere, where '*' is refused",
    ),
  DEPOSIT_EXPIRY_SECONDS: seconds(60, 30 * 86_400)
    .default(86_400)
    .describe(
      'a deposit left in incomplete or pending_user_transfer_start this long expires and frees its bank reference',
    ),
  DEPOSIT_TRUST_TIMEOUT_SECONDS: seconds(60, 30 * 86_400)
    .default(86_400)
    .describe('how long a funded deposit waits in pending_trust for the trust line'),
  DEPOSIT_TRUST_POLL_SECONDS: seconds(5, 86_400)
    .default(60)
    .describe('how often a deposit in pending_trust re-checks the trust line'),
  DEPOSIT_TRUST_TIMEOUT_ACTION: z
    .enum(['refund', 'error'])
    .default('refund')
    .describe(
      'when the trust line never comes: refund the bank transfer (status refunded) or stop in error for an operator',
    ),
  DEPOSIT_ACCOUNT_CREATION: bool
    .default(true)
    .describe(
      'features.account_creation: a deposit to an account that does not exist creates it with CreateAccount (S24-24); false refuses such deposits with 400 (S24-11)',
    ),
  DEPOSIT_ACCOUNT_STARTING_BALANCE: amountSchema
    .default('2.01')
    .describe(
      'XLM a created account starts with, paid by the distribution account: the base reserve of the account and one trust line plus fees (S24-24 recommends 2.01)',
    ),
  DEPOSIT_AMOUNT_MISMATCH: z
    .enum(['accept', 'refund'])
    .default('accept')
    .describe(
      'a bank transfer that differs from the announced amount: accept it (fees recomputed) when within min/max, or refund it',
    ),
};

/** SEP-24 withdrawals: approval, limits, payment matching, and encryption of bank details at rest. */
export const withdrawEnv = {
  WITHDRAW_ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes as 64 hex characters')
    .optional()
    .describe(
      'AES-256-GCM key (64 hex chars) for bank details at rest (secret; required outside the sandbox)',
    ),
  WITHDRAW_APPROVAL_THRESHOLD: amountSchema
    .default('1000')
    .describe('withdrawals whose amount_in is above this wait for an operator decision'),
  WITHDRAW_APPROVAL_SLA_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(7200)
    .describe('how long an approval may wait before it is escalated (alert row) and the SLA default applies'),
  WITHDRAW_APPROVAL_SLA_DEFAULT: z
    .enum(['wait', 'reject'])
    .default('wait')
    .describe('after the approval SLA: keep waiting for an operator, or reject and refund on Stellar'),
  WITHDRAW_AMOUNT_MISMATCH: z
    .enum(['adjust', 'refund'])
    .default('adjust')
    .describe(
      'a payment of another amount: adjust within WITHDRAW_AMOUNT_TOLERANCE_PERCENT and min/max (S24-22), or refund it',
    ),
  WITHDRAW_AMOUNT_TOLERANCE_PERCENT: percentSchema
    .default('10')
    .describe('deviation from amount_in accepted and adjusted when WITHDRAW_AMOUNT_MISMATCH=adjust'),
  WITHDRAW_DAILY_LIMIT: amountSchema
    .optional()
    .describe(
      'per-account total of withdrawals in 24 h (unset: no limit); checked by the form and the workflow',
    ),
  WITHDRAW_MONTHLY_LIMIT: amountSchema
    .optional()
    .describe('per-account total of withdrawals in 30 days (unset: no limit)'),
  WITHDRAW_INTERACTIVE_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(3600)
    .describe('a withdrawal left incomplete (form not finished) this long expires'),
  WITHDRAW_PAYMENT_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(86_400)
    .describe('how long pending_user_transfer_start waits for the Stellar payment before expired'),
  WITHDRAW_PAYOUT_POLL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(10)
    .describe(
      "how often pending_external re-checks the bank payout status; the bank's payout.updated webhook settles it sooner, this covers a lost webhook",
    ),
  WITHDRAW_REFUND_DUPLICATE_PAYMENTS: bool
    .default(true)
    .describe(
      'a second Stellar payment for a withdrawal that already has its payment, or a late one for a withdrawal that ended without one (expired), is sent back automatically (once, keyed by the payment) as well as alerted; false: alert only',
    ),
};

/** Bank rails: the bank API (payouts, polling, virtual accounts), its webhook, and deposit matching. */
export const DEPOSIT_MATCHING_STRATEGIES = ['reference', 'virtual_account', 'user_id'] as const;
export const bankEnv = {
  BANK_API_URL: url
    .optional()
    .describe('base URL of the bank API (default: the sandbox bank, http://localhost:SANDBOX_BANK_PORT)'),
  BANK_API_KEY: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('API key sent as Authorization: Bearer to the bank (secret; required on mainnet)'),
  BANK_WEBHOOK_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('shared secret of the X-Bank-Signature HMAC on bank webhooks (secret; required on mainnet)'),
  BANK_WEBHOOK_TOLERANCE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(300)
    .describe('bank webhooks whose signed timestamp is further than this from now are rejected (replays)'),
  BANK_POLL_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(60)
    .describe(
      'how often the bank poller schedule fetches incoming transfers and retries undelivered ones (0: no polling, webhooks only)',
    ),
  BANK_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .optional()
    .describe(
      'fiat currency of the bank account (default: the first three letters of ASSET_CODE, USDC → USD); transfers in another currency go to the unmatched queue',
    ),
  ANCHOR_BANK_ACCOUNT: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'bank account of the anchor, shown on the deposit page as where to send the transfer (sandbox default: the anchor account at the sandbox bank; unset elsewhere: the page shows only the reference)',
    ),
  DEPOSIT_MATCHING: z
    .enum(DEPOSIT_MATCHING_STRATEGIES)
    .default('reference')
    .describe(
      'how a bank transfer finds its deposit: reference (code in the transfer description) | virtual_account (per-customer account number) | user_id (the bank reports the customer id)',
    ),
  SANDBOX_BANK_WEBHOOK_URL: url
    .optional()
    .describe('where the sandbox bank sends its webhooks (default PUBLIC_URL/webhooks/bank)'),
};

/** Operations (issue 9): admin API keys, distribution top-ups, alerts. */
export const opsEnv = {
  ADMIN_API_KEYS: z
    .string()
    .optional()
    .describe(
      'admin API keys, entries separated by ";" (or a JSON array of strings): name:scope1,scope2:sha256-hex-of-key. Scopes: transactions:read, transactions:write, kyc:read, topups:read, topups:write, bank:write, ops:read, ops:write, or * (secret hashes; the raw keys live only with operators)',
    ),
  TOPUP_CRON: z
    .string()
    .optional()
    .describe('cron expression (UTC) for the distribution top-up schedule; overrides TOPUP_INTERVAL'),
  TOPUP_INTERVAL: z
    .string()
    .regex(/^\d+(s|m|h|d)$/, 'must be a duration like 30m, 6h or 1d')
    .default('1h')
    .describe('how often the top-up schedule checks the distribution balance (when TOPUP_CRON is unset)'),
  TOPUP_THRESHOLD: amountSchema
    .default('1000')
    .describe('top up when the distribution balance of the anchored asset falls below this amount'),
  TOPUP_TARGET: amountSchema
    .default('10000')
    .describe(
      'a top-up brings the distribution balance back up to this amount (must exceed TOPUP_THRESHOLD)',
    ),
  TOPUP_SIGNATURE_TIMEOUT: z
    .string()
    .regex(/^\d+(s|m|h|d)$/, 'must be a duration like 30m, 6h or 1d')
    .default('24h')
    .describe('testnet/mainnet: how long a top-up waits for the cold-signed envelope before it expires'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(1000)
    .describe(
      "workflows each worker keeps in memory between tasks (the SDK's sticky cache, about 0.35 MiB each): bounds worker RSS however many transfers are open; an evicted one is replayed from its history when it next wakes",
    ),
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464')
    .optional()
    .describe(
      'host:port where each worker serves the Temporal SDK Prometheus metrics (activity/workflow failures, latencies); unset = off',
    ),
  DISTRIBUTION_ALERT_BALANCE: amountSchema
    .default('100')
    .describe('the doctor and /metrics flag a distribution balance below this amount'),
  ADMIN_CONSOLE_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15)
    .describe('an operator console session unused this many minutes ends (sign in again)'),
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe(
      'bearer token a scraper sends to GET /metrics (Authorization: Bearer ...); outside the sandbox /metrics answers 404 without it (secret)',
    ),
  ADMIN_AUTH_RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .default(20)
    .describe(
      '/admin requests without a valid key allowed per client IP per minute; more answer 429 (0 disables; a valid key is never limited)',
    ),
};

/** SEP-12 KYC (issue 6): tiers by amount, uploads, the KYC provider and its webhook. */
export const KYC_VERIFIABLE_FIELDS = ['mobile_number', 'email_address'] as const;
export const kycEnv = {
  KYC_TIER1_MAX_AMOUNT: amountSchema
    .default('1000')
    .describe(
      'amounts up to this need KYC tier 1 (name, email, optional phone); above it tier 2 (+ birth date, address, ID document, proof of residence)',
    ),
  KYC_VERIFY_FIELDS: z
    .string()
    .default('')
    .refine(
      (v) =>
        v
          .split(',')
          .every((x) => x.trim() === '' || (KYC_VERIFIABLE_FIELDS as readonly string[]).includes(x.trim())),
      'must be a comma-separated subset of mobile_number,email_address',
    )
    .describe(
      'comma-separated fields that must be confirmed with a code (PUT /customer/verification) before KYC proceeds; sandbox only',
    ),
  KYC_SANDBOX_VERIFICATION_CODE: z
    .string()
    .regex(/^\d{6}$/, 'must be 6 digits')
    .default('123456')
    .describe('sandbox: the code that confirms any field in KYC_VERIFY_FIELDS (no SMS or email is sent)'),
  KYC_UPLOAD_DIR: z
    .string()
    .default('tmp/kyc-uploads')
    .describe('directory of the filesystem blob store for KYC documents (photo_id_front, ...)'),
  KYC_ENCRYPTION_KEYS: z
    .string()
    .superRefine((v, ctx) => {
      const ring = parseKeyRing(v);
      if (typeof ring === 'string') ctx.addIssue({ code: 'custom', message: ring });
    })
    .optional()
    .describe(
      'AES-256-GCM keys for KYC documents at rest, id:64-hex[,id:64-hex...]: the first encrypts, every one decrypts (rotation: put the new key first, run npm run kyc:reencrypt, then drop the old one) (secret; required outside the sandbox)',
    ),
  KYC_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .describe('largest accepted KYC document in bytes; larger uploads get 413'),
  KYC_PROVIDER_URL: url
    .optional()
    .describe(
      'base URL of the KYC provider (default: the sandbox provider, http://localhost:SANDBOX_KYC_PORT)',
    ),
  KYC_PROVIDER_API_KEY: z
    .string()
    .optional()
    .describe('API key sent as Authorization: Bearer to the KYC provider (secret)'),
  KYC_WEBHOOK_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'shared secret of the HMAC-SHA256 signature on KYC provider webhooks (secret; required outside the sandbox)',
    ),
  KYC_WEBHOOK_TOLERANCE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(300)
    .describe('KYC webhooks whose signed timestamp is further than this from now are rejected (replays)'),
  KYC_CHECK_RESEND_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(900)
    .describe(
      'a KYC check the provider has not answered after this long is sent again (same reference: idempotent) on the next GET /customer',
    ),
  SANDBOX_KYC_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(2000)
    .describe('how long the sandbox KYC provider takes before it answers a check by webhook'),
  SANDBOX_KYC_WEBHOOK_URL: url
    .optional()
    .describe('where the sandbox KYC provider sends its webhooks (default PUBLIC_URL/webhooks/kyc)'),
};

/** Stellar payments out (activities/stellar.ts) and in (the payment observer). */
export const paymentsEnv = {
  RECEIVING_ACCOUNTS: z
    .string()
    .regex(
      /^\s*G[A-Z2-7]{55}\s*(,\s*G[A-Z2-7]{55}\s*)*$/,
      'must be comma-separated Stellar public keys (G...)',
    )
    .optional()
    .describe(
      'accounts the payment observer watches for withdrawal payments, comma-separated (default: the distribution account)',
    ),
  CHANNEL_SECRETS: z
    .string()
    .optional()
    .describe(
      'channel account secrets, comma-separated: transaction sources with their own sequence numbers so payments go out in parallel (secret; sandbox default: 4 derived channels; empty elsewhere = no channels)',
    ),
  STELLAR_TX_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(60)
    .describe(
      'validity window (time bounds) of every transaction the anchor signs; a stuck payment is rebuilt only after it',
    ),
  PAYOUT_BATCH_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(5000)
    .default(50)
    .describe(
      'deposit payouts (without memo) that reach one worker within this many ms share one transaction, up to 100 operations; 0 = one transaction per payout',
    ),
  STELLAR_MAX_FEE_STROOPS: z.coerce
    .number()
    .int()
    .min(100)
    .max(10_000_000)
    .default(10_000)
    .describe('highest fee per operation the anchor bids, in stroops'),
  OBSERVER_POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(60_000)
    .default(1000)
    .describe('how often the payment observer asks Horizon for new payments when it is idle'),
  OBSERVER_PAGE_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(200)
    .describe('payments the observer reads and records per batch (Horizon allows up to 200)'),
  OBSERVER_BATCHES_PER_RUN: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(200)
    .describe('batches an observer workflow run handles before it continues as new'),
};

/** The sandbox Horizon-compatible ledger (sandbox/horizon; docs/sandbox-horizon.md). Sandbox profile only. */
const RATE_ASSET = '(?:native|[A-Za-z0-9]{1,12}:G[A-Z2-7]{55})';
const RATE_PAIR = new RegExp(`^${RATE_ASSET}>${RATE_ASSET}=(.+)$`);
export const sandboxHorizonEnv = {
  SANDBOX_HORIZON_LEDGER_CLOSE_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(60_000)
    .default(5000)
    .describe('how often the sandbox ledger closes, in ms (the network closes about every 5 s)'),
  SANDBOX_HORIZON_MAX_OPS_PER_LEDGER: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(1000)
    .describe('operations per sandbox ledger; further submissions wait for the next ledger'),
  SANDBOX_HORIZON_PATH_PAYMENT_RATES: z
    .string()
    .refine(
      (v) =>
        v.split(',').every((pair) => {
          const rate = RATE_PAIR.exec(pair)?.[1];
          return rate !== undefined && amountSchema.safeParse(rate).success;
        }),
      'must be FROM>TO=RATE pairs separated by commas (assets as native or CODE:ISSUER)',
    )
    .optional()
    .describe(
      'fixed path payment rates of the sandbox ledger (no order book): FROM>TO=RATE,... destination units per source unit; unlisted pairs convert 1:1',
    ),
};

export const envSchema = z.object({
  ...paymentsEnv,
  ...coreEnv,
  ...stellarEnv,
  ...authEnv,
  ...sep1Env,
  ...sep24Env,
  ...sep38Env,
  ...withdrawEnv,
  ...bankEnv,
  ...opsEnv,
  ...kycEnv,
  ...sandboxHorizonEnv,
});
export type Env = z.infer<typeof envSchema>;

/** Keys whose values are secrets: never logged, never echoed in config errors. */
export const SECRET_KEYS = new Set<string>([
  'CHANNEL_SECRETS',
  'SIGNING_SECRET',
  'DISTRIBUTION_SECRET',
  'ISSUER_SECRET',
  'JWT_SECRET',
  'JWT_PRIVATE_KEY',
  'JWT_PREVIOUS_SECRET',
  'TEMPORAL_API_KEY',
  'DATABASE_URL',
  'ADMIN_API_KEYS',
  'BANK_API_KEY',
  'BANK_WEBHOOK_SECRET',
  'WITHDRAW_ENCRYPTION_KEY',
  'KYC_ENCRYPTION_KEYS',
  'KYC_WEBHOOK_SECRET',
  'KYC_PROVIDER_API_KEY',
  'METRICS_TOKEN',
]);

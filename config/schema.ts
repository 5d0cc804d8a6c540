import { z } from 'zod';

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
/** A decimal amount with at most 7 places, kept as a string (never a JS number). */
export const amountString = z
  .string()
  .regex(/^\d+(\.\d{1,7})?$/, 'must be a decimal amount with at most 7 places');

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
};

export const envSchema = z.object({ ...coreEnv, ...stellarEnv, ...authEnv });
export type Env = z.infer<typeof envSchema>;

/** Keys whose values are secrets: never logged, never echoed in config errors. */
export const SECRET_KEYS = new Set<string>([
  'SIGNING_SECRET',
  'DISTRIBUTION_SECRET',
  'ISSUER_SECRET',
  'JWT_SECRET',
  'TEMPORAL_API_KEY',
  'DATABASE_URL',
]);

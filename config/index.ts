import { type AppConfig, appConfigSchema } from './app-config.js';
import { ConfigError } from './errors.js';

export type {
  AppConfig,
  AuthConfig,
  DepositMatching,
  KycConfig,
  OpsConfig,
  PaymentsConfig,
  Sep1Config,
  Sep10Config,
  Sep24AssetOperation,
  WithdrawConfig,
} from './app-config.js';
export { ConfigError, type ConfigIssue } from './errors.js';
export { PROFILES, type Profile } from './schema.js';

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
  const parsed = appConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    env.PROFILE ?? 'sandbox',
    parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', message: i.message })),
  );
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

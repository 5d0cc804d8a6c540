import { expect, inject } from 'vitest';
import { type AppConfig, ConfigError, loadConfig } from '../../config/index.js';

/** The sandbox config pointed at the test infrastructure, with overrides as environment variables. */
export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  return loadConfig({
    PROFILE: 'sandbox',
    LOG_LEVEL: 'silent',
    DATABASE_URL: inject('pgUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    ...env,
  });
}

/** The configuration errors `env` causes, message by key; fails the test when `env` loads cleanly. */
export function configIssues(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return Object.fromEntries((err as ConfigError).issues.map((i) => [i.key, i.message]));
  }
  throw new Error('expected a ConfigError');
}

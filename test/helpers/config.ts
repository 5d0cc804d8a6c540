import { inject } from 'vitest';
import { type AppConfig, loadConfig } from '../../config/index.js';

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

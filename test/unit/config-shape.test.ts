import { spawnSync } from 'node:child_process';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { appConfigSchema } from '../../config/app-config.js';
import { type AppConfig, loadConfig, PROFILES, type Profile } from '../../config/index.js';
import { productionEnv } from '../helpers/production-env.js';

/** Every leaf of the config as `path → typeof value`. */
function shapeOf(value: unknown, path = ''): Record<string, string> {
  if (Array.isArray(value)) return { [path]: 'array' };
  if (value instanceof Date) return { [path]: 'date' };
  if (value !== null && typeof value === 'object' && !(value instanceof Set)) {
    return Object.assign({}, ...Object.entries(value).map(([k, v]) => shapeOf(v, path ? `${path}.${k}` : k)));
  }
  return { [path]: typeof value };
}

const configFor = (profile: Profile): AppConfig =>
  loadConfig(profile === 'sandbox' ? {} : { ...productionEnv(), PROFILE: profile });

describe('AppConfig is the output of the one config schema', () => {
  it('its type is the schema output: no hand-kept interface beside it', () => {
    expectTypeOf<AppConfig>().toEqualTypeOf<z.output<typeof appConfigSchema>>();
    expectTypeOf(loadConfig).returns.toEqualTypeOf<AppConfig>();
    // The unions the rest of the code switches on stay unions (not widened to string) ...
    expectTypeOf<AppConfig['sep1']['currency']['status']>().toEqualTypeOf<
      'live' | 'dead' | 'test' | 'private'
    >();
    expectTypeOf<AppConfig['kyc']['verifyFields']>().toEqualTypeOf<('mobile_number' | 'email_address')[]>();
    expectTypeOf<AppConfig['bank']['depositMatching']>().toEqualTypeOf<
      'reference' | 'virtual_account' | 'user_id'
    >();
    expectTypeOf<AppConfig['deposit']['trustTimeoutAction']>().toEqualTypeOf<'refund' | 'error'>();
    // ... and what only some profiles set may be undefined.
    expectTypeOf<AppConfig['stellar']['issuerSecret']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AppConfig['withdraw']['dailyLimit']>().toEqualTypeOf<string | undefined>();
  });

  it('every profile yields the same blocks with values of the same kinds', () => {
    // Set only in the sandbox profile: the issuer secret (top-ups are cold-signed elsewhere) and the anchor's
    // account at the sandbox bank.
    const sandboxOnly = new Set(['stellar.issuerSecret', 'bank.anchorAccount']);
    const shapes = PROFILES.map((profile) => {
      const shape = shapeOf(configFor(profile));
      for (const key of sandboxOnly) {
        if (key in shape) {
          expect(shape[key]).toBe(profile === 'sandbox' ? 'string' : 'undefined');
          shape[key] = 'string | undefined';
        }
      }
      return shape;
    });
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
    expect(shapes[0]!['stellar.signingKey']).toBe('string');
    expect(shapes[0]!['sep24.deposit.minAmount']).toBe('string'); // money is never a JS number
  });

  it('importing and loading the config changes nothing in the process (no import-time side effect)', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "const signing = createRequire(import.meta.url)('@stellar/stellar-base/lib/signing.js');",
      'const before = signing.sign;',
      "const { loadConfig } = await import('./config/index.js');",
      'loadConfig({});',
      "process.stdout.write(signing.sign === before ? 'untouched' : 'patched');",
    ].join('\n');
    const r = spawnSync('node_modules/.bin/tsx', ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('untouched');
  });
});

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const tsx = 'node_modules/.bin/tsx';

describe('start-up with a broken config', () => {
  for (const entry of ['api/main.ts', 'worker/main.ts']) {
    it(`${entry} exits non-zero naming the missing keys, without a stack trace`, () => {
      const env = { ...process.env, PROFILE: 'mainnet' } as NodeJS.ProcessEnv;
      for (const key of [
        'SIGNING_SECRET',
        'DISTRIBUTION_SECRET',
        'ISSUER_PUBLIC_KEY',
        'JWT_SECRET',
        'PUBLIC_URL',
      ]) {
        delete env[key];
      }
      const r = spawnSync(tsx, [entry], { env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('Invalid configuration (profile mainnet)');
      for (const key of ['SIGNING_SECRET', 'DISTRIBUTION_SECRET', 'ISSUER_PUBLIC_KEY', 'JWT_SECRET']) {
        expect(r.stderr).toContain(key);
      }
      expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack frames
    });
  }
});

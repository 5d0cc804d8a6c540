import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { configIssues, testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { productionEnv } from '../helpers/production-env.js';

/**
 * Issue 15 row 9: who may frame the hosted pages, and who may read /metrics, depend on the profile. The sandbox
 * stays open for local wallets; testnet and mainnet name their wallets and keep the balances behind a token.
 */
describe('headers by profile (issue 15 row 9)', () => {
  let hz: SandboxHorizonHandle;
  let tdb: TestDb;
  let connection: Connection;

  beforeAll(async () => {
    hz = await startSandboxHorizon();
    tdb = await createTestDb('hdrs');
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await connection?.close();
    await tdb?.destroy();
    await hz?.stop();
  });

  const appFor = (config: AppConfig) =>
    createApp({
      config,
      db: tdb.db,
      temporal: new Client({ connection, namespace: 'default' }),
      logger: createLogger('test', 'silent'),
    });
  const testnet = (env: Record<string, string> = {}) =>
    testConfig({
      ...productionEnv(),
      PROFILE: 'testnet',
      HORIZON_URL: 'https://horizon-testnet.stellar.org',
      ...env,
    });

  it("frame-ancestors: '*' in the sandbox, 'self' by default elsewhere, where '*' is refused and origins are checked", () => {
    expect(testConfig().sep24.frameAncestors).toBe('*');
    expect(testnet().sep24.frameAncestors).toBe("'self'");
    expect(
      testnet({ SEP24_FRAME_ANCESTORS: 'https://wallet.example.com  https://*.lobstr.co:443' }).sep24
        .frameAncestors,
    ).toBe('https://wallet.example.com https://*.lobstr.co:443');
    const base = { ...productionEnv(), PROFILE: 'testnet' };
    expect(configIssues({ ...base, SEP24_FRAME_ANCESTORS: '*' }).SEP24_FRAME_ANCESTORS).toMatch(
      /list your wallets/,
    );
    expect(
      configIssues({ ...base, SEP24_FRAME_ANCESTORS: "https://ok.example; script-src 'unsafe-inline'" })
        .SEP24_FRAME_ANCESTORS,
    ).toMatch(/is not an origin/);
    expect(
      configIssues({ ...base, SEP24_FRAME_ANCESTORS: "'none' https://wallet.example" }).SEP24_FRAME_ANCESTORS,
    ).toMatch(/cannot be combined/);
  });

  it('a testnet hosted page may be framed only by the configured wallet origins', async () => {
    const app = appFor(testnet({ SEP24_FRAME_ANCESTORS: 'https://wallet.example.com' }));
    // Any hosted page answer carries the shell's CSP, an expired-token page included.
    const res = await app.request('/sep24/interactive/deposit?token=not-a-token');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain('frame-ancestors https://wallet.example.com');
    expect(csp).not.toContain('frame-ancestors *');
  });

  it('/metrics: open in the sandbox, off (404) on testnet without METRICS_TOKEN, bearer-only with it, never CORS-open', async () => {
    const sandbox = appFor(testConfig({ HORIZON_URL: hz.url }));
    const open = await sandbox.request('/metrics', { headers: { Origin: 'https://evil.example' } });
    expect(open.status).toBe(200);
    expect(await open.text()).toContain('anchor_http_request_duration_seconds');
    expect(open.headers.get('access-control-allow-origin')).toBeNull();

    const off = await appFor(testnet()).request('/metrics');
    expect(off.status).toBe(404);
    expect(await off.text()).not.toContain('anchor_');

    const token = randomBytes(24).toString('hex');
    const guarded = appFor(testConfig({ HORIZON_URL: hz.url, METRICS_TOKEN: token }));
    const none = await guarded.request('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain('anchor_');
    const wrong = await guarded.request('/metrics', {
      headers: { Authorization: `Bearer ${token.slice(0, -1)}x` },
    });
    expect(wrong.status).toBe(401);
    const right = await guarded.request('/metrics', { headers: { Authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('anchor_distribution_balance');

    expect(
      configIssues({ ...productionEnv(), PROFILE: 'testnet', METRICS_TOKEN: 'short' }).METRICS_TOKEN,
    ).toMatch(/at least 32/);
  });
});

import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHECKS, formatReport, runDoctor } from '../../api/admin/doctor.js';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { sandboxKeypair } from '../../config/sandbox-keys.js';
import { createDb, type Db } from '../../db/index.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';

/** Routes requests for the home domain to the app in-process; everything else goes out for real. */
function fetchVia(
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  host: string,
): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.host === host) return app.request(url.pathname + url.search, init);
    return fetch(input, init);
  }) as typeof fetch;
}

describe('npm run doctor checks (issue 9)', () => {
  let connection: Connection;
  let temporal: Client;

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    temporal = new Client({ connection, namespace: 'default' });
  });
  afterAll(async () => {
    await connection?.close();
  });

  describe('a correctly set-up sandbox', () => {
    let hz: SandboxHorizonHandle;
    let tdb: TestDb;

    beforeAll(async () => {
      hz = await startSandboxHorizon();
      tdb = await createTestDb('doc');
    });
    afterAll(async () => {
      await tdb?.destroy();
      await hz?.stop();
    });

    it('passes every check', async () => {
      const config = testConfig({
        HORIZON_URL: hz.url,
        PUBLIC_URL: 'http://anchor.test',
        // someone can approve the withdrawals held above WITHDRAW_APPROVAL_THRESHOLD (admin.approver)
        ADMIN_API_KEYS: `ops:transactions:read,transactions:write:${'a'.repeat(64)}`,
      });
      await setupSandboxAccounts(config, { horizon: hz.server });
      const app = createApp({ config, db: tdb.db, temporal, logger: createLogger('test', 'silent') });
      const results = await runDoctor({
        config,
        db: tdb.db,
        temporal,
        fetch: fetchVia(app, 'anchor.test'),
        dbSchema: tdb.schema,
      });
      const failed = results.filter((r) => !r.ok);
      expect(failed, formatReport(results)).toEqual([]);
      expect(results.map((r) => r.name).sort()).toEqual(CHECKS.map((c) => c.name).sort());
      expect(results.find((r) => r.name === 'issuer.no_offers')?.detail).toMatch(/sandbox only/);
    });
  });

  describe('a deliberately misconfigured deployment', () => {
    let hz: SandboxHorizonHandle;
    let emptyDb: Db;
    let emptySchema: string;
    let badConnection: Connection;

    beforeAll(async () => {
      // Another network's passphrase, accounts created but never set up.
      hz = await startSandboxHorizon({ networkPassphrase: 'Standalone Network ; February 2017' });
      emptySchema = `doc_empty_${randomBytes(4).toString('hex')}`;
      const admin = createDb({ url: inject('pgUrl'), poolSize: 1 });
      await sql`create schema ${sql.id(emptySchema)}`.execute(admin);
      await admin.destroy();
      emptyDb = createDb({ url: inject('pgUrl'), poolSize: 1, schema: emptySchema });
      badConnection = await Connection.connect({ address: inject('temporalAddress') });
    });
    afterAll(async () => {
      await emptyDb?.destroy();
      const admin = createDb({ url: inject('pgUrl'), poolSize: 1 });
      await sql`drop schema if exists ${sql.id(emptySchema)} cascade`.execute(admin);
      await admin.destroy();
      await badConnection?.close();
      await hz?.stop();
    });

    it('reports each failure by name, with a fix', async () => {
      const sandboxConfig = testConfig({
        HORIZON_URL: hz.url,
        PUBLIC_URL: 'http://anchor.test',
        SIGNING_SECRET: sandboxKeypair('issuer').secret(), // SEP-10 key = issuer
        JWT_SECRET: 'ab'.repeat(16), // 32 characters, 2 distinct
        TEMPORAL_NAMESPACE: 'no-such-namespace',
      });
      await hz.friendbot(sandboxConfig.stellar.issuerAccount);
      await hz.friendbot(sandboxConfig.stellar.distributionAccount);
      // mainnet semantics with the sandbox's distribution secret (what a copy-pasted .env would do).
      const config = { ...sandboxConfig, profile: 'mainnet' as const };
      const brokenFetch = (async (input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
        if (url.host === 'anchor.test') return new Response('not here', { status: 404 });
        if (url.pathname.endsWith('/offers')) {
          return Response.json({
            _embedded: { records: [{ id: '1', selling: { asset_type: 'credit_alphanum4' } }] },
          });
        }
        return fetch(input, init);
      }) as typeof fetch;
      const badTemporal = new Client({ connection: badConnection, namespace: 'no-such-namespace' });

      const results = await runDoctor({
        config,
        db: emptyDb,
        temporal: badTemporal,
        fetch: brokenFetch,
        dbSchema: emptySchema,
      });
      const byName = Object.fromEntries(results.map((r) => [r.name, r]));
      const report = formatReport(results);
      for (const name of [
        'horizon.passphrase',
        'toml.matches_config',
        'keys.distinct',
        'issuer.home_domain',
        'distribution.trustline',
        'distribution.balance',
        'issuer.no_offers',
        'jwt.secret',
        'secrets.not_sandbox',
        'temporal.namespace',
        'temporal.search_attributes',
        'db.migrations',
        'admin.keys',
        'admin.approver',
      ]) {
        expect(byName[name]?.ok, `${name}\n${report}`).toBe(false);
        expect(byName[name]?.fix, name).toBeTruthy();
      }
      expect(byName['keys.distinct']!.detail).toMatch(/issuer = SEP-10 signing key/);
      expect(byName['secrets.not_sandbox']!.detail).toMatch(/DISTRIBUTION_SECRET/);
      expect(byName['issuer.no_offers']!.detail).toMatch(/1 open offer/);
      expect(byName['db.migrations']!.detail).toMatch(/pending migration/);
      expect(byName['admin.approver']!.detail).toMatch(/no admin key has the transactions:write scope/);
      expect(report).toMatch(/FAIL {2}horizon\.passphrase/);
      expect(report).not.toMatch(/S[A-Z2-7]{55}/); // never prints a secret
    });
  });
});

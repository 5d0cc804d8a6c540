import { type ServerType, serve } from '@hono/node-server';
import { BASE_FEE, Keypair, Operation, StellarToml, TransactionBuilder, WebAuth } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { freePort } from '../../scripts/lib/ports.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';

/** Waits for a condition with a deadline (no fixed sleeps). */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface RunningApi {
  config: AppConfig;
  domain: string;
  server: ServerType;
}

/**
 * A wallet's view of SEP-10 over real sockets: the API on its own port, the sandbox ledger as Horizon, the SDK's
 * toml resolver and client-side challenge checks, then the token against a protected route.
 */
describe('SEP-10 end to end (real HTTP, sandbox ledger)', () => {
  let h: SandboxHorizonHandle;
  let tdb: TestDb;
  let connection: Connection;
  const apis: RunningApi[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  async function startApi(env: Record<string, string> = {}, db = tdb.db): Promise<RunningApi> {
    const port = await freePort();
    const config = testConfig({
      HORIZON_URL: h.url,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      API_PORT: String(port),
      // This wallet compares web_auth_domain with the endpoint's host, port included (S10-13, as the validator
      // does); the sandbox default is the hostname (test/e2e/wallet-sdk.e2e.test.ts), so it is configured.
      SEP10_WEB_AUTH_DOMAIN: `127.0.0.1:${port}`,
      ...env,
    });
    const app = createApp({
      config,
      db,
      temporal: new Client({ connection }),
      logger: createLogger('e2e', 'silent'),
    });
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
    });
    const api = { config, domain: `127.0.0.1:${port}`, server };
    apis.push(api);
    return api;
  }

  beforeAll(async () => {
    [h, tdb] = await Promise.all([startSandboxHorizon(), createTestDb('e2e_sep10')]);
    connection = Connection.lazy({ address: inject('temporalAddress') });
  }, 60_000);
  afterAll(async () => {
    for (const api of apis) await new Promise((r) => api.server.close(r));
    for (const cleanup of cleanups) await cleanup();
    await connection?.close().catch(() => {});
    await tdb?.destroy();
    await h?.stop();
  });

  /** What a wallet does: toml → challenge → client-side checks → sign → token. */
  async function walletLogin(domain: string, account: string, signers: Keypair[]): Promise<string> {
    const toml = await StellarToml.Resolver.resolve(domain, { allowHttp: true, timeout: 5000 });
    const endpoint = toml.WEB_AUTH_ENDPOINT!;
    const challenge = await fetch(`${endpoint}?account=${account}`);
    expect(challenge.status).toBe(200);
    const { transaction, network_passphrase } = (await challenge.json()) as Record<string, string>;
    expect(network_passphrase).toBe(toml.NETWORK_PASSPHRASE);
    // The wallet's own checks (SEP-10 "Verification" for clients).
    const read = WebAuth.readChallengeTx(
      transaction!,
      toml.SIGNING_KEY!,
      network_passphrase!,
      domain,
      new URL(endpoint).host,
    );
    expect(read.clientAccountID).toBe(account);
    const tx = TransactionBuilder.fromXDR(transaction!, network_passphrase!);
    for (const kp of signers) tx.sign(kp);
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ transaction: tx.toXDR() }),
    });
    const body = (await res.json()) as { token?: string; error?: string };
    if (res.status !== 200) throw new Error(`token refused: ${res.status} ${body.error}`);
    return body.token!;
  }

  async function whoami(domain: string, token: string) {
    const res = await fetch(`http://${domain}/auth/whoami`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('S10-01..38 X-08: a single-key wallet reads the toml, logs in and calls a protected route', async () => {
    const api = await startApi();
    const user = Keypair.random();
    await h.friendbot(user.publicKey());
    const token = await walletLogin(api.domain, user.publicKey(), [user]);
    const me = await whoami(api.domain, token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      sub: user.publicKey(),
      account: user.publicKey(),
      home_domain: api.domain,
    });
    // A SEP-24 endpoint guarded by the same middleware accepts the token (and refuses without it, X-09).
    const transactions = await fetch(
      `http://${api.domain}/sep24/transactions?asset_code=${api.config.stellar.assetCode}`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    expect(transactions.status).toBe(200);
    expect(await transactions.json()).toEqual({ transactions: [] });
    expect(
      (await fetch(`http://${api.domain}/sep24/transactions?asset_code=${api.config.stellar.assetCode}`))
        .status,
    ).toBe(403);
    const anonymous = await fetch(`http://${api.domain}/auth/whoami`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toEqual({ type: 'authentication_required' });
  });

  it('S10-26: a 2-of-3 multisig account created with setOptions logs in with two signers, not one', async () => {
    const api = apis[0] ?? (await startApi());
    const account = Keypair.random();
    const signers = [Keypair.random(), Keypair.random(), Keypair.random()];
    await h.friendbot(account.publicKey());
    const loaded = await h.server.loadAccount(account.publicKey());
    const setup = new TransactionBuilder(loaded, {
      fee: BASE_FEE,
      networkPassphrase: h.passphrase,
    }).setTimeout(60);
    for (const s of signers)
      setup.addOperation(Operation.setOptions({ signer: { ed25519PublicKey: s.publicKey(), weight: 1 } }));
    setup.addOperation(
      Operation.setOptions({ masterWeight: 0, lowThreshold: 2, medThreshold: 2, highThreshold: 3 }),
    );
    const tx = setup.build();
    tx.sign(account);
    await h.server.submitTransaction(tx);
    await until(async () => {
      const acc = await h.server.loadAccount(account.publicKey());
      return acc.thresholds.med_threshold === 2 ? acc : undefined;
    }, 'setOptions to reach the ledger');

    await expect(walletLogin(api.domain, account.publicKey(), [signers[0]!])).rejects.toThrow(
      /400 .*threshold/,
    );
    await expect(walletLogin(api.domain, account.publicKey(), [account])).rejects.toThrow(/400/);
    const token = await walletLogin(api.domain, account.publicKey(), [signers[0]!, signers[2]!]);
    const me = await whoami(api.domain, token);
    expect(me.status).toBe(200);
    expect(me.body.sub).toBe(account.publicKey());
  });

  it('S10-17: over real sockets the limit keys on the client address and answers 429 with Retry-After', async () => {
    // Its own schema: the earlier logins from 127.0.0.1 share the bucket on the first one, by design.
    const own = await createTestDb('e2e_sep10_rl');
    cleanups.push(() => own.destroy());
    const api = await startApi({ SEP10_RATE_LIMIT_MAX: '2', SEP10_RATE_LIMIT_WINDOW_SECONDS: '300' }, own.db);
    const url = `http://${api.domain}/auth?account=${Keypair.random().publicKey()}`;
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
    // Without trusted proxies a client cannot dodge the limit with its own X-Forwarded-For.
    const limited = await fetch(url, { headers: { 'X-Forwarded-For': '203.0.113.99' } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
    expect(((await limited.json()) as { error: string }).error).toMatch(/too many requests/);
    const bucket = await own.db
      .selectFrom('rate_limit_buckets')
      .select(['key', 'hits'])
      .where('key', 'like', 'sep10-challenge:%')
      .execute();
    expect(bucket.map((b) => b.key)).toContain('sep10-challenge:127.0.0.1');
  });
});

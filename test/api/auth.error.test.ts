import type { Server } from 'node:http';
import {
  Account,
  Asset,
  FeeBumpTransaction,
  Keypair,
  MuxedAccount,
  Operation,
  type Transaction,
  TransactionBuilder,
} from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchClientSigningKey } from '../../api/sep10/client-domain.js';
import { testConfig } from '../helpers/config.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { listenLocal } from '../helpers/http.js';
import {
  type AuthTestApp,
  craftChallenge,
  createAuthTestApp,
  getChallenge,
  postChallenge,
  signChallenge,
} from '../helpers/sep10.js';

/** X-02 X-05 X-07: every failure is JSON {"error": string} with Access-Control-Allow-Origin: *. */
async function expectError(res: Response, status: number, pattern?: RegExp): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  const body = (await res.json()) as { error: unknown };
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error).toBe('string');
  if (pattern) expect(body.error).toMatch(pattern);
  return body.error as string;
}

const origin = { Origin: 'https://wallet.example' };

describe('SEP-10 errors: every bad request is a 400 {"error"} that says why', () => {
  let t: AuthTestApp;
  let horizon: SandboxHorizonHandle;
  let tomls: { port: number; server: Server };
  const pendingResponses: { end(): void }[] = [];

  beforeAll(async () => {
    // The sandbox ledger (none of these accounts exist); a toml host with one route per failure mode.
    horizon = await startSandboxHorizon();
    tomls = await listenLocal((req, res) => {
      const mode = String(req.headers['x-mode']).split('.')[0];
      if (mode === 'slow') {
        pendingResponses.push(res);
        return;
      }
      if (mode === 'missing') return void res.writeHead(404).end();
      if (mode === 'redirect') return void res.writeHead(302, { Location: 'http://127.0.0.1:9/' }).end();
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      if (mode === 'garbage') return void res.end('SIGNING_KEY = "unterminated\n[[[');
      if (mode === 'nokey') return void res.end('VERSION = "2.7.0"\n');
      if (mode === 'badkey') return void res.end('SIGNING_KEY = "GNOTAKEY"\n');
      res.end(`SIGNING_KEY = "${Keypair.random().publicKey()}"\n`);
    });
    t = await createAuthTestApp(
      { HORIZON_URL: horizon.url, SEP10_CLIENT_DOMAIN_TIMEOUT_MS: '500' },
      {
        // *.localhost names resolve to the toml host, so each failure mode is its own client domain.
        fetch: (input, init) => {
          const url = new URL(String(input));
          return fetch(`http://127.0.0.1:${tomls.port}${url.pathname}`, {
            ...init,
            headers: { 'X-Mode': url.hostname },
          });
        },
      },
    );
  });
  afterAll(async () => {
    for (const r of pendingResponses) r.end();
    await t?.close();
    await horizon?.stop();
    tomls?.server.close();
  });

  const passphrase = () => t.config.stellar.networkPassphrase;
  const get = (query: string) => t.app.request(`/auth?${query}`, { headers: origin });
  const post = (body: BodyInit | undefined, contentType?: string) =>
    t.app.request('/auth', {
      method: 'POST',
      headers: { ...origin, ...(contentType ? { 'Content-Type': contentType } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
  const postXdr = (xdr: string) => post(JSON.stringify({ transaction: xdr }), 'application/json');

  describe('GET /auth', () => {
    it('S10-02: a missing account is 400', async () => {
      await expectError(await get(''), 400, /account/);
    });

    it('S10-02: an account that is not a G... or M... strkey is 400', async () => {
      for (const bad of ['GABC', 'not-an-account', Keypair.random().secret(), `C${'A'.repeat(55)}`]) {
        await expectError(await get(`account=${encodeURIComponent(bad)}`), 400, /account/);
      }
    });

    it('S10-03: a memo with a muxed account, a non-numeric memo and a memo above 2^64-1 are 400', async () => {
      const g = Keypair.random().publicKey();
      const m = new MuxedAccount(new Account(g, '0'), '5').accountId();
      await expectError(await get(`account=${m}&memo=5`), 400, /muxed/);
      for (const memo of ['abc', '-1', '1.5', '18446744073709551616', '', ' 1']) {
        await expectError(await get(`account=${g}&memo=${encodeURIComponent(memo)}`), 400, /memo/);
      }
    });

    it('S10-04: a home_domain we do not serve is 400', async () => {
      await expectError(
        await get(`account=${Keypair.random().publicKey()}&home_domain=evil.example.com`),
        400,
        /home_domain/,
      );
    });

    it('S10-05: a client_domain whose toml cannot be fetched, is not TOML or has no SIGNING_KEY is 400', async () => {
      const account = Keypair.random().publicKey();
      const cases: [string, RegExp][] = [
        ['missing.localhost', /HTTP 404/],
        ['redirect.localhost', /HTTP 302/],
        ['garbage.localhost', /not valid TOML/],
        ['nokey.localhost', /SIGNING_KEY/],
        ['badkey.localhost', /SIGNING_KEY/],
        ['slow.localhost', /timed out after 500 ms/],
        ['has/slash', /domain name/],
        ['http://x.example', /domain name/],
      ];
      for (const [domain, pattern] of cases) {
        const r = await get(`account=${account}&client_domain=${encodeURIComponent(domain)}`);
        await expectError(r, 400, pattern);
      }
    });

    it('S10-05: outside the sandbox a client_domain must be a public name fetched over https', async () => {
      const opts = { fetch, timeoutMs: 200, allowHttpLocal: false };
      await expect(fetchClientSigningKey('localhost:8000', opts)).rejects.toMatchObject({ status: 400 });
      await expect(fetchClientSigningKey('10.0.0.1', opts)).rejects.toMatchObject({ status: 400 });
      await expect(fetchClientSigningKey('intranet', opts)).rejects.toMatchObject({ status: 400 });
      let asked = '';
      const recording = (async (url: string) => {
        asked = url;
        return new Response(`SIGNING_KEY = "${Keypair.random().publicKey()}"`);
      }) as unknown as typeof fetch;
      await fetchClientSigningKey('wallet.example.com', { ...opts, fetch: recording });
      expect(asked).toBe('https://wallet.example.com/.well-known/stellar.toml');
    });

    it('S10-06 IMPL: an Authorization header on GET is ignored, not required', async () => {
      const res = await t.app.request(`/auth?account=${Keypair.random().publicKey()}`, {
        headers: { Authorization: 'Bearer whatever' },
      });
      expect(res.status).toBe(200);
    });
  });

  describe('POST /auth', () => {
    it('S10-19: a body without transaction, with a non-string transaction, bad JSON or an unknown encoding is 400', async () => {
      await expectError(await post(undefined), 400);
      await expectError(await post('{}', 'application/json'), 400, /transaction is required/);
      await expectError(await post('{"transaction": 5}', 'application/json'), 400, /transaction is required/);
      await expectError(await post('{"transaction":', 'application/json'), 400, /JSON/);
      await expectError(await post('', 'application/x-www-form-urlencoded'), 400, /transaction is required/);
      await expectError(await post('transaction=AAAA', 'text/plain'), 400, /application\/json/);
    });

    it('S10-19: undecodable XDR and fee-bump envelopes are 400', async () => {
      await expectError(await postXdr('not base64 at all'), 400, /XDR/);
      await expectError(await postXdr('AAAAAgAAAAA='), 400, /XDR/);
      const client = Keypair.random();
      const { body } = await getChallenge(t.app, { account: client.publicKey() });
      const inner = TransactionBuilder.fromXDR(
        signChallenge(body.transaction!, passphrase(), client),
        passphrase(),
      );
      const bump = TransactionBuilder.buildFeeBumpTransaction(
        client,
        '200',
        inner as Transaction,
        passphrase(),
      );
      bump.sign(client);
      expect(bump).toBeInstanceOf(FeeBumpTransaction);
      await expectError(await postXdr(bump.toXDR()), 400, /fee-bump/);
    });

    it('S10-20: a source other than the server account, or a non-zero sequence, is 400', async () => {
      const client = Keypair.random();
      const other = Keypair.random();
      const wrongSource = craftChallenge(t.config, { client: client.publicKey(), source: other });
      await expectError(
        await postXdr(signChallenge(wrongSource, passphrase(), client)),
        400,
        /source account/,
      );
      const wrongSeq = craftChallenge(t.config, { client: client.publicKey(), sequence: '5' });
      await expectError(await postXdr(signChallenge(wrongSeq, passphrase(), client)), 400, /sequence/);
    });

    it('S10-21: no upper time bound, or a minTime beyond the 60 s clock-skew grace, is 400', async () => {
      const client = Keypair.random();
      const now = Math.floor(Date.now() / 1000);
      const infinite = craftChallenge(t.config, { client: client.publicKey(), infinite: true });
      await expectError(await postXdr(signChallenge(infinite, passphrase(), client)), 400, /time bounds/);
      const future = craftChallenge(t.config, {
        client: client.publicKey(),
        minTime: now + 120,
        maxTime: now + 900,
      });
      await expectError(await postXdr(signChallenge(future, passphrase(), client)), 400, /not valid yet/);
    });

    it('S10-21 IMPL: a minTime up to 60 s ahead (client clock skew) is accepted', async () => {
      const client = Keypair.random();
      const now = Math.floor(Date.now() / 1000);
      const skewed = craftChallenge(t.config, {
        client: client.publicKey(),
        minTime: now + 30,
        maxTime: now + 900,
      });
      const { res } = await postChallenge(t.app, signChallenge(skewed, passphrase(), client));
      expect(res.status).toBe(200);
    });

    it('S10-22: an op[0] that is not ManageData, or has no source, is 400', async () => {
      const client = Keypair.random();
      const payment = craftChallenge(t.config, {
        client: client.publicKey(),
        firstOp: Operation.payment({
          destination: t.config.stellar.signingKey,
          asset: Asset.native(),
          amount: '1',
          source: client.publicKey(),
        }),
      });
      await expectError(await postXdr(signChallenge(payment, passphrase(), client)), 400, /manageData/);
      const noSource = craftChallenge(t.config, {
        client: client.publicKey(),
        firstOp: Operation.manageData({ name: 'localhost:8000 auth', value: 'x'.repeat(64) }),
      });
      await expectError(await postXdr(signChallenge(noSource, passphrase(), client)), 400, /source account/);
    });

    it('S10-23 A-09: an op[0] key for another home domain, a foreign web_auth_domain or a short nonce is 400', async () => {
      const client = Keypair.random();
      const c = client.publicKey();
      const cases: [string, RegExp][] = [
        [craftChallenge(t.config, { client: c, homeDomain: 'other.example.com' }), /home domain/i],
        [craftChallenge(t.config, { client: c, webAuthDomain: 'evil.example.com' }), /web_auth_domain/],
        [craftChallenge(t.config, { client: c, nonceBytes: 16 }), /64 bytes/],
      ];
      for (const [xdr, pattern] of cases)
        await expectError(await postXdr(signChallenge(xdr, passphrase(), client)), 400, pattern);
    });

    it('S10-24: a later operation from the client account (not client_domain) is 400', async () => {
      const client = Keypair.random();
      const xdr = craftChallenge(t.config, {
        client: client.publicKey(),
        extraOps: [Operation.manageData({ name: 'extra', value: 'x', source: client.publicKey() })],
      });
      await expectError(await postXdr(signChallenge(xdr, passphrase(), client)), 400, /unrecognized/);
    });

    it('S10-25: a challenge the server did not sign is 400', async () => {
      const client = Keypair.random();
      const unsigned = craftChallenge(t.config, { client: client.publicKey(), signer: null });
      await expectError(
        await postXdr(signChallenge(unsigned, passphrase(), client)),
        400,
        /not signed by server/,
      );
      const forged = craftChallenge(t.config, { client: client.publicKey(), signer: Keypair.random() });
      await expectError(
        await postXdr(signChallenge(forged, passphrase(), client)),
        400,
        /not signed by server/,
      );
    });

    it('S10-28: a nonexistent account needs exactly server + master key: none, another key or an extra signature is 400', async () => {
      const client = Keypair.random();
      const fresh = async () =>
        (await getChallenge(t.app, { account: client.publicKey() })).body.transaction!;
      await expectError(await postXdr(await fresh()), 400, /signers/);
      await expectError(await postXdr(signChallenge(await fresh(), passphrase(), Keypair.random())), 400);
      await expectError(
        await postXdr(signChallenge(await fresh(), passphrase(), client, Keypair.random())),
        400,
        /unrecognized or duplicate signatures/,
      );
      await expectError(
        await postXdr(signChallenge(await fresh(), passphrase(), client, client)),
        400,
        /unrecognized or duplicate signatures/,
      );
    });

    it('X-07: an oversized body is 413 {"error"}', async () => {
      await expectError(
        await post(JSON.stringify({ transaction: 'A'.repeat(70_000) }), 'application/json'),
        413,
      );
    });
  });

  it('X-07: an unknown method or path under /auth is 404 {"error"}', async () => {
    await expectError(await t.app.request('/auth', { method: 'PUT', headers: origin }), 404);
    await expectError(await t.app.request('/auth/nothing', { headers: origin }), 404);
  });
});

describe('SEP-10 when Horizon is down, and configuration bounds', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await createAuthTestApp({ HORIZON_URL: 'http://127.0.0.1:9' }); // nothing listens on port 9
  });
  afterAll(async () => {
    await t?.close();
  });

  it('X-02 X-07: Horizon unreachable is our failure: 503 {"error"} with CORS, not a 400', async () => {
    const client = Keypair.random();
    const { body } = await getChallenge(t.app, { account: client.publicKey() });
    const signed = signChallenge(body.transaction!, t.config.stellar.networkPassphrase, client);
    const res = await t.app.request('/auth', {
      method: 'POST',
      headers: { ...origin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ transaction: signed }),
    });
    await expectError(res, 503, /Horizon/);
    // the challenge was not burnt: it can be retried once Horizon is back (S10-31 records only successes)
    expect(await t.tdb.db.selectFrom('sep10_used_challenges').selectAll().execute()).toEqual([]);
  });

  it('X-02 X-09: a protected route without a token is 403 {"type":"authentication_required"} with CORS', async () => {
    const res = await t.app.request('/auth/whoami', { headers: origin });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toEqual({ type: 'authentication_required' });
  });

  it('S10-35 S10-12: token lifetime above 24 h and a home domain too long for the op[0] key are start-up errors', () => {
    expect(() => testConfig({ JWT_EXPIRES_IN_SECONDS: '86401' })).toThrow(/JWT_EXPIRES_IN_SECONDS/);
    expect(() => testConfig({ SEP10_HOME_DOMAINS: `${'a'.repeat(55)}.example.com` })).toThrow(/64-byte/);
    expect(() => testConfig({ SEP10_HOME_DOMAINS: 'https://anchor.example.com' })).toThrow(/not a host name/);
  });
});

describe('SEP-10 rate limits (S10-17): per client IP, in Postgres, 429 {"error"} with Retry-After', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await createAuthTestApp({
      HORIZON_URL: 'http://127.0.0.1:9',
      SEP10_RATE_LIMIT_MAX: '3',
      SEP10_RATE_LIMIT_WINDOW_SECONDS: '600',
      TRUSTED_PROXY_HOPS: '1',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const from = (ip: string, path = `/auth?account=${Keypair.random().publicKey()}`, init: RequestInit = {}) =>
    t.app.request(path, { ...init, headers: { ...origin, 'X-Forwarded-For': `198.51.100.7, ${ip}` } });

  it('the fourth challenge from one IP in a window is 429; another IP and the token endpoint are unaffected', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await from('203.0.113.1');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    const limited = await from('203.0.113.1');
    const error = await expectError(limited, 429, /too many requests/);
    expect(error).toMatch(/retry in \d+ s/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect((await from('203.0.113.2')).status).toBe(200);
    // POST has its own bucket: the request gets past the limiter to body validation.
    const token = await from('203.0.113.1', '/auth', { method: 'POST' });
    await expectError(token, 400);
  });

  it('the counter is shared through Postgres, not process memory: a second app on the same schema sees it', async () => {
    const { createApp } = await import('../../api/app.js');
    const { createLogger } = await import('../../config/logger.js');
    const second = createApp({
      config: t.config,
      db: t.tdb.db,
      temporal: undefined as never,
      logger: createLogger('test', 'silent'),
    });
    const res = await second.request(`/auth?account=${Keypair.random().publicKey()}`, {
      headers: { 'X-Forwarded-For': '203.0.113.1' },
    });
    expect(res.status).toBe(429);
  });
});

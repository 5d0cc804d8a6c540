import {
  Account,
  Keypair,
  MuxedAccount,
  StrKey,
  type Transaction,
  TransactionBuilder,
} from '@stellar/stellar-sdk';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { listenLocal } from '../helpers/http.js';
import {
  type AuthTestApp,
  createAuthTestApp,
  getChallenge,
  postChallenge,
  signChallenge,
} from '../helpers/sep10.js';

describe('SEP-10 happy paths (accounts not on the sandbox ledger)', () => {
  let t: AuthTestApp;
  let horizon: SandboxHorizonHandle;
  let wallet: Awaited<ReturnType<typeof listenLocal>>;
  const walletKey = Keypair.random();

  beforeAll(async () => {
    horizon = await startSandboxHorizon();
    wallet = await listenLocal((req, res) => {
      if (req.url === '/.well-known/stellar.toml') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`SIGNING_KEY = "${walletKey.publicKey()}"\n`);
      } else {
        res.writeHead(404).end();
      }
    });
    t = await createAuthTestApp({
      HORIZON_URL: horizon.url,
      SEP10_HOME_DOMAINS: 'localhost:8000,second.example.com',
    });
  });
  afterAll(async () => {
    await t?.close();
    await horizon?.stop();
    wallet?.server.close();
  });

  const passphrase = () => t.config.stellar.networkPassphrase;
  const decode = (xdr: string) => TransactionBuilder.fromXDR(xdr, passphrase()) as Transaction;

  it('S10-01 S10-07 S10-38 X-05: GET /auth answers 200 JSON {transaction, network_passphrase} and nothing else', async () => {
    const client = Keypair.random();
    const { res, body } = await getChallenge(t.app, { account: client.publicKey() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(body).sort()).toEqual(['network_passphrase', 'transaction']);
    expect(body.network_passphrase).toBe('Test SDF Network ; September 2015');
    const toml = parse(await (await t.app.request('/.well-known/stellar.toml')).text());
    expect(toml.NETWORK_PASSPHRASE).toBe(body.network_passphrase);
  });

  it('S10-08..S10-16: the challenge is the server-sourced, sequence-0, 15-minute, ManageData-only envelope with one server signature', async () => {
    const client = Keypair.random();
    const before = Math.floor(Date.now() / 1000);
    const { body } = await getChallenge(t.app, { account: client.publicKey() });
    const after = Math.floor(Date.now() / 1000);
    const tx = decode(body.transaction!);
    expect(tx.source).toBe(t.config.stellar.signingKey); // S10-08
    expect(tx.sequence).toBe('0'); // S10-09
    const min = Number(tx.timeBounds!.minTime);
    expect(min).toBeGreaterThanOrEqual(before); // S10-10
    expect(min).toBeLessThanOrEqual(after);
    expect(Number(tx.timeBounds!.maxTime)).toBe(min + 900);
    expect(tx.memo.type).toBe('none'); // S10-11 without memo
    const [op0, ...rest] = tx.operations;
    expect(op0).toMatchObject({
      type: 'manageData',
      source: client.publicKey(),
      name: 'localhost:8000 auth',
    }); // S10-12
    const value = (op0 as { value: Buffer }).value;
    expect(value.length).toBe(64);
    expect(Buffer.from(value.toString(), 'base64').length).toBe(48);
    // S10-13: web_auth_domain = SEP10_WEB_AUTH_DOMAIN; the sandbox default is the hostname of WEB_AUTH_ENDPOINT
    // without its port, what the official wallet SDK compares (test/e2e/wallet-sdk.e2e.test.ts)
    const webAuth = rest.find((op) => op.type === 'manageData' && op.name === 'web_auth_domain') as {
      source: string;
      value: Buffer;
    };
    expect(webAuth.source).toBe(t.config.stellar.signingKey);
    expect(webAuth.value.toString()).toBe(new URL(`${t.config.api.publicUrl}/auth`).hostname);
    expect(webAuth.value.toString()).toBe(t.config.sep10.webAuthDomain);
    // S10-15: only ManageData from the server after op[0]
    for (const op of rest)
      expect(op).toMatchObject({ type: 'manageData', source: t.config.stellar.signingKey });
    // S10-16: exactly one signature, the server's, over the network passphrase
    expect(tx.signatures).toHaveLength(1);
    expect(
      Keypair.fromPublicKey(t.config.stellar.signingKey).verify(tx.hash(), tx.signatures[0]!.signature()),
    ).toBe(true);
  });

  it('S10-17: every challenge carries a fresh nonce', async () => {
    const account = Keypair.random().publicKey();
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { body } = await getChallenge(t.app, { account });
      nonces.add((decode(body.transaction!).operations[0] as { value: Buffer }).value.toString());
    }
    expect(nonces.size).toBe(5);
  });

  it('S10-11 S10-34: a memo becomes the MEMO_ID of the challenge and G...:memo in the token sub', async () => {
    const client = Keypair.random();
    const { body } = await getChallenge(t.app, { account: client.publicKey(), memo: '18446744073709551615' });
    const tx = decode(body.transaction!);
    expect(tx.memo.type).toBe('id');
    expect(tx.memo.value).toBe('18446744073709551615');
    const { res, body: token } = await postChallenge(
      t.app,
      signChallenge(body.transaction!, passphrase(), client),
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(token.token!).sub).toBe(`${client.publicKey()}:18446744073709551615`);
  });

  it('S10-30 S10-34: a muxed M... account is the op[0] source, signs with its G key and gets sub M...', async () => {
    const client = Keypair.random();
    const muxed = new MuxedAccount(new Account(client.publicKey(), '0'), '42').accountId();
    const { res, body } = await getChallenge(t.app, { account: muxed });
    expect(res.status).toBe(200);
    expect(decode(body.transaction!).operations[0]!.source).toBe(muxed);
    const token = await postChallenge(t.app, signChallenge(body.transaction!, passphrase(), client));
    expect(token.res.status).toBe(200);
    expect(decodeJwt(token.body.token!).sub).toBe(muxed);
    const who = await t.app.request('/auth/whoami', {
      headers: { Authorization: `Bearer ${token.body.token}` },
    });
    expect(await who.json()).toMatchObject({
      sub: muxed,
      account: client.publicKey(),
      memo: '42',
      muxed_account: muxed,
    });
  });

  it('S10-18 S10-28 S10-32: a nonexistent account signed by its master key gets {token}, as JSON, form or multipart', async () => {
    for (const encoding of ['json', 'form', 'multipart'] as const) {
      const client = Keypair.random();
      const { body } = await getChallenge(t.app, { account: client.publicKey() });
      const signed = signChallenge(body.transaction!, passphrase(), client);
      let res: Response;
      let json: Record<string, string>;
      if (encoding === 'multipart') {
        const form = new FormData();
        form.set('transaction', signed);
        res = await t.app.request('/auth', { method: 'POST', body: form });
        json = (await res.json()) as Record<string, string>;
      } else {
        ({ res, body: json } = await postChallenge(t.app, signed, encoding));
      }
      expect(res.status, encoding).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(json)).toEqual(['token']);
      expect(decodeJwt(json.token!).sub).toBe(client.publicKey());
    }
  });

  it('S10-33 S10-35 S10-36 S10-37: the JWT carries iss, sub, iat, exp (24 h), jti = challenge hash, home_domain and no client_domain', async () => {
    const client = Keypair.random();
    const { body } = await getChallenge(t.app, { account: client.publicKey() });
    const signed = signChallenge(body.transaction!, passphrase(), client);
    const { body: token } = await postChallenge(t.app, signed);
    const claims = decodeJwt(token.token!);
    expect(decodeProtectedHeader(token.token!).alg).toBe('HS256');
    expect(claims.iss).toBe(`${t.config.api.publicUrl}/auth`);
    expect(claims.sub).toBe(client.publicKey());
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60);
    expect(claims.exp! - claims.iat!).toBe(86_400);
    expect(claims.jti).toBe(decode(signed).hash().toString('hex'));
    expect(claims.home_domain).toBe('localhost:8000');
    expect(claims).not.toHaveProperty('client_domain');
  });

  it('S10-04: a second configured home_domain is used for op[0] and echoed in the token', async () => {
    const client = Keypair.random();
    const { res, body } = await getChallenge(t.app, {
      account: client.publicKey(),
      home_domain: 'second.example.com',
    });
    expect(res.status).toBe(200);
    expect(decode(body.transaction!).operations[0]).toMatchObject({ name: 'second.example.com auth' });
    const { body: token } = await postChallenge(
      t.app,
      signChallenge(body.transaction!, passphrase(), client),
    );
    expect(decodeJwt(token.token!).home_domain).toBe('second.example.com');
  });

  it('S10-05 S10-14 S10-29 S10-36: client_domain adds its SIGNING_KEY op, must co-sign, and lands in the token', async () => {
    const client = Keypair.random();
    const domain = `localhost:${wallet.port}`;
    const { res, body } = await getChallenge(t.app, { account: client.publicKey(), client_domain: domain });
    expect(res.status).toBe(200);
    const op = decode(body.transaction!).operations.find(
      (o) => o.type === 'manageData' && o.name === 'client_domain',
    );
    expect(op).toMatchObject({ source: walletKey.publicKey() });
    expect((op as { value: Buffer }).value.toString()).toBe(domain);
    const withoutWallet = await postChallenge(t.app, signChallenge(body.transaction!, passphrase(), client));
    expect(withoutWallet.res.status).toBe(400);
    expect(withoutWallet.body.error).toMatch(/client_domain/);
    const both = await postChallenge(
      t.app,
      signChallenge(body.transaction!, passphrase(), client, walletKey),
    );
    expect(both.res.status).toBe(200);
    expect(decodeJwt(both.body.token!).client_domain).toBe(domain);
  });

  it('X-08: the token opens a protected route (GET /auth/whoami)', async () => {
    const client = Keypair.random();
    const { body } = await getChallenge(t.app, { account: client.publicKey(), memo: '7' });
    const { body: token } = await postChallenge(
      t.app,
      signChallenge(body.transaction!, passphrase(), client),
    );
    const res = await t.app.request('/auth/whoami', { headers: { Authorization: `Bearer ${token.token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      sub: `${client.publicKey()}:7`,
      account: client.publicKey(),
      memo: '7',
    });
  });

  it('X-02 X-03: GET and POST /auth carry Access-Control-Allow-Origin: * and answer preflight', async () => {
    const get = await t.app.request(`/auth?account=${Keypair.random().publicKey()}`, {
      headers: { Origin: 'https://wallet.example' },
    });
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    const pre = await t.app.request('/auth', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://wallet.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'Content-Type, Authorization',
      },
    });
    expect(pre.status).toBeLessThan(300);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization/);
    expect(StrKey.isValidEd25519PublicKey(t.config.stellar.signingKey)).toBe(true);
  });
});

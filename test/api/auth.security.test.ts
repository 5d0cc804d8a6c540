import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import {
  Account,
  Asset,
  BASE_FEE,
  Keypair,
  MuxedAccount,
  Networks,
  Operation,
  TransactionBuilder,
} from '@stellar/stellar-sdk';
import { Hono } from 'hono';
import { base64url, decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthEnv, requireSep10 } from '../../api/middleware/auth.js';
import { errorHandler } from '../../api/middleware/errors.js';
import { InvalidTokenError, issueToken, tokenIssuer, verifyToken } from '../../api/sep10/jwt.js';
import { createLogger } from '../../config/logger.js';
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

describe('SEP-10 security', () => {
  let t: AuthTestApp;
  let h: SandboxHorizonHandle;
  let wallet: { port: number; server: Server };
  const walletKey = Keypair.random();

  // A 2-of-3 multisig account (medium threshold 2, master disabled), and one whose signers include the server
  // key and the wallet's client-domain key (medium threshold 2, master weight 1).
  const multisig = Keypair.random();
  const [a, b, c] = [Keypair.random(), Keypair.random(), Keypair.random()];
  const sneaky = Keypair.random();
  const single = Keypair.random();

  async function submit(source: Keypair, ops: ReturnType<typeof Operation.setOptions>[]) {
    const account = await h.server.loadAccount(source.publicKey());
    const builder = new TransactionBuilder(account, {
      fee: BASE_FEE,
      networkPassphrase: h.passphrase,
    }).setTimeout(60);
    for (const op of ops) builder.addOperation(op);
    const tx = builder.build();
    tx.sign(source);
    await h.server.submitTransaction(tx);
  }

  beforeAll(async () => {
    h = await startSandboxHorizon();
    wallet = await listenLocal((req, res) => {
      if (req.url !== '/.well-known/stellar.toml') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`SIGNING_KEY = "${walletKey.publicKey()}"\n`);
    });
    t = await createAuthTestApp({ HORIZON_URL: h.url });
    await Promise.all([multisig, sneaky, single].map((k) => h.friendbot(k.publicKey())));
    await submit(multisig, [
      Operation.setOptions({ signer: { ed25519PublicKey: a.publicKey(), weight: 1 } }),
      Operation.setOptions({ signer: { ed25519PublicKey: b.publicKey(), weight: 1 } }),
      Operation.setOptions({ signer: { ed25519PublicKey: c.publicKey(), weight: 1 } }),
      Operation.setOptions({ masterWeight: 0, lowThreshold: 1, medThreshold: 2, highThreshold: 3 }),
    ]);
    await submit(sneaky, [
      Operation.setOptions({ signer: { ed25519PublicKey: t.config.stellar.signingKey, weight: 1 } }),
      Operation.setOptions({ signer: { ed25519PublicKey: walletKey.publicKey(), weight: 1 } }),
      Operation.setOptions({ masterWeight: 1, lowThreshold: 1, medThreshold: 2, highThreshold: 2 }),
    ]);
    await until(async () => {
      const acc = await h.server.loadAccount(multisig.publicKey());
      return acc.thresholds.med_threshold === 2 && acc.signers.length === 4 ? acc : undefined;
    }, 'the multisig account on the sandbox ledger');
    await until(async () => {
      const acc = await h.server.loadAccount(sneaky.publicKey());
      return acc.signers.length === 3 ? acc : undefined;
    }, 'the server-signer account');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await h?.stop();
    wallet?.server.close();
  });

  const passphrase = () => t.config.stellar.networkPassphrase;
  async function challengeFor(account: string, extra: Record<string, string> = {}) {
    const { res, body } = await getChallenge(t.app, { account, ...extra });
    expect(res.status).toBe(200);
    return body.transaction!;
  }
  async function exchange(xdr: string) {
    return postChallenge(t.app, xdr);
  }

  describe('challenges', () => {
    it('S10-31: a challenge is exchanged once; replaying it is 400, even when the replays race', async () => {
      const first = signChallenge(await challengeFor(single.publicKey()), passphrase(), single);
      expect((await exchange(first)).res.status).toBe(200);
      const again = await exchange(first);
      expect(again.res.status).toBe(400);
      expect(again.body.error).toMatch(/already been used/);

      const racing = signChallenge(await challengeFor(single.publicKey()), passphrase(), single);
      const results = await Promise.all(Array.from({ length: 6 }, () => exchange(racing)));
      expect(results.map((r) => r.res.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
      const hash = TransactionBuilder.fromXDR(racing, passphrase()).hash().toString('hex');
      const row = await t.tdb.db
        .selectFrom('sep10_used_challenges')
        .selectAll()
        .where('hash', '=', hash)
        .executeTakeFirst();
      expect(row?.expires_at.getTime()).toBe(
        Number(
          (TransactionBuilder.fromXDR(racing, passphrase()) as { timeBounds?: { maxTime: string } })
            .timeBounds!.maxTime,
        ) * 1000,
      );
    });

    it('S10-38: a challenge signed for another network passphrase is 400', async () => {
      const client = Keypair.random();
      const pubnet = craftChallenge(t.config, { client: client.publicKey(), passphrase: Networks.PUBLIC });
      const signed = signChallenge(pubnet, Networks.PUBLIC, client);
      const res = await exchange(signed);
      expect(res.res.status).toBe(400);
      expect(res.body.error).toMatch(/not signed by server/);
      // and a genuine challenge whose client signature is over the pubnet passphrase
      const genuine = await challengeFor(client.publicKey());
      const tx = TransactionBuilder.fromXDR(genuine, Networks.PUBLIC);
      tx.sign(client);
      expect((await exchange(tx.toXDR())).res.status).toBe(400);
    });

    it('S10-23: a challenge for a home domain we do not serve is 400, even server-signed', async () => {
      const client = Keypair.random();
      const xdr = craftChallenge(t.config, { client: client.publicKey(), homeDomain: 'evil.example.com' });
      const res = await exchange(signChallenge(xdr, passphrase(), client));
      expect(res.res.status).toBe(400);
      expect(res.body.error).toMatch(/home domain/i);
    });

    it('S10-21: an expired challenge is 400, including within the SDK’s 5-minute grace', async () => {
      const client = Keypair.random();
      const now = Math.floor(Date.now() / 1000);
      for (const maxTime of [now - 1, now - 120, now - 3600]) {
        const xdr = craftChallenge(t.config, { client: client.publicKey(), minTime: maxTime - 900, maxTime });
        const res = await exchange(signChallenge(xdr, passphrase(), client));
        expect(res.res.status).toBe(400);
        expect(res.body.error).toMatch(/expired/);
      }
    });

    it('S10-15 S10-24: extra operations are 400: a non-ManageData op, a client-sourced op, or one appended after signing', async () => {
      const client = Keypair.random();
      const server = t.config.stellar.signingKey;
      const withPayment = craftChallenge(t.config, {
        client: client.publicKey(),
        extraOps: [
          Operation.payment({
            destination: client.publicKey(),
            asset: Asset.native(),
            amount: '1000',
            source: server,
          }),
        ],
      });
      expect((await exchange(signChallenge(withPayment, passphrase(), client))).body.error).toMatch(
        /manageData/,
      );
      const withClientOp = craftChallenge(t.config, {
        client: client.publicKey(),
        extraOps: [Operation.setOptions({ source: client.publicKey(), masterWeight: 0 })],
      });
      expect((await exchange(signChallenge(withClientOp, passphrase(), client))).res.status).toBe(400);
      // tampering with a genuine challenge breaks the server's signature
      const genuine = TransactionBuilder.fromXDR(await challengeFor(client.publicKey()), passphrase());
      const envelope = genuine.toEnvelope();
      envelope
        .v1()
        .tx()
        .operations()
        .push(Operation.manageData({ name: 'extra', value: 'x', source: server }));
      const tampered = TransactionBuilder.fromXDR(envelope.toXDR('base64'), passphrase());
      tampered.sign(client);
      const res = await exchange(tampered.toXDR());
      expect(res.res.status).toBe(400);
      expect(res.body.error).toMatch(/not signed by server/);
    });

    it('S10-03: memo with a muxed account is 400 on GET, and a server-signed challenge combining them is 400 on POST', async () => {
      const client = Keypair.random();
      const muxed = new MuxedAccount(new Account(client.publicKey(), '0'), '9').accountId();
      const get = await getChallenge(t.app, { account: muxed, memo: '9' });
      expect(get.res.status).toBe(400);
      expect(get.body.error).toMatch(/muxed/);
      const xdr = craftChallenge(t.config, { client: muxed, memo: '9' });
      const res = await exchange(signChallenge(xdr, passphrase(), client));
      expect(res.res.status).toBe(400);
      expect(res.body.error).toMatch(/memo/);
    });
  });

  describe('existing accounts: signers and thresholds from Horizon', () => {
    it('S10-26: a funded single-key account signs with its master key', async () => {
      const res = await exchange(signChallenge(await challengeFor(single.publicKey()), passphrase(), single));
      expect(res.res.status).toBe(200);
      expect(decodeJwt(res.body.token!).sub).toBe(single.publicKey());
    });

    it('S10-26: 2-of-3 multisig reaches the medium threshold with two or three signers', async () => {
      for (const signers of [
        [a, b],
        [b, c],
        [a, b, c],
      ]) {
        const res = await exchange(
          signChallenge(await challengeFor(multisig.publicKey()), passphrase(), ...signers),
        );
        expect(res.res.status).toBe(200);
      }
    });

    it('S10-26: signatures below the threshold, a duplicated signer, an unknown signer and a disabled master key are 400', async () => {
      const cases: [Keypair[], RegExp][] = [
        [[a], /threshold/],
        [[a, a], /unrecognized or duplicate signatures/],
        [[a, Keypair.random()], /unrecognized or duplicate signatures/],
        [[multisig, a], /unrecognized or duplicate signatures/],
        [[multisig], /unrecognized or duplicate signatures/],
      ];
      for (const [signers, pattern] of cases) {
        const res = await exchange(
          signChallenge(await challengeFor(multisig.publicKey()), passphrase(), ...signers),
        );
        expect(res.res.status).toBe(400);
        expect(res.body.error).toMatch(pattern);
      }
    });

    it('S10-27: the server key never counts toward the client’s weight, even as an account signer', async () => {
      // sneaky: master 1 + server 1 would make 2; only the master counts.
      const res = await exchange(signChallenge(await challengeFor(sneaky.publicKey()), passphrase(), sneaky));
      expect(res.res.status).toBe(400);
      expect(res.body.error).toMatch(/threshold/);
    });

    it('S10-29: the client_domain key must sign but never counts toward weight, even as an account signer', async () => {
      const domain = `localhost:${wallet.port}`;
      const xdr = await challengeFor(sneaky.publicKey(), { client_domain: domain });
      const res = await exchange(signChallenge(xdr, passphrase(), sneaky, walletKey));
      expect(res.res.status).toBe(400);
      expect(res.body.error).toMatch(/threshold/);
    });

    it('S10-30: a muxed address of the multisig account authenticates with the account’s signers', async () => {
      const muxed = new MuxedAccount(new Account(multisig.publicKey(), '0'), '77').accountId();
      const ok = await exchange(signChallenge(await challengeFor(muxed), passphrase(), a, c));
      expect(ok.res.status).toBe(200);
      expect(decodeJwt(ok.body.token!).sub).toBe(muxed);
      const weak = await exchange(signChallenge(await challengeFor(muxed), passphrase(), a));
      expect(weak.res.status).toBe(400);
    });
  });

  describe('tokens (X-08, X-09)', () => {
    const protectedApp = () => {
      const app = new Hono<AuthEnv>();
      app.get('/sep24-style', requireSep10(t.config, 'sep24'), (c) => c.json({ sub: c.get('identity').sub }));
      app.get('/sep12-style', requireSep10(t.config, 'sep12'), (c) => c.json({ sub: c.get('identity').sub }));
      app.onError(errorHandler(createLogger('test', 'silent')));
      return app;
    };
    async function rejected(token: string) {
      const app = protectedApp();
      const sep24 = await app.request('/sep24-style', { headers: { Authorization: `Bearer ${token}` } });
      expect(sep24.status).toBe(403);
      expect(await sep24.json()).toEqual({ type: 'authentication_required' });
      const sep12 = await app.request('/sep12-style', { headers: { Authorization: `Bearer ${token}` } });
      expect(sep12.status).toBe(401);
      expect(typeof ((await sep12.json()) as { error: unknown }).error).toBe('string');
      await expect(verifyToken(t.config, token)).rejects.toBeInstanceOf(InvalidTokenError);
    }
    const claims = () => ({ sub: single.publicKey() });
    const now = () => Math.floor(Date.now() / 1000);

    it('X-08: a genuine token passes both auth styles', async () => {
      const token = await issueToken(t.config, { sub: single.publicKey() });
      const app = protectedApp();
      expect(
        (await app.request('/sep24-style', { headers: { Authorization: `Bearer ${token}` } })).status,
      ).toBe(200);
      expect(
        (await app.request('/sep12-style', { headers: { Authorization: `bearer ${token}` } })).status,
      ).toBe(200);
    });

    it('X-08: a token with alg "none" is rejected', async () => {
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      const payload = base64url.encode(
        JSON.stringify({ ...claims(), iss: tokenIssuer(t.config), iat: now(), exp: now() + 3600 }),
      );
      await rejected(`${header}.${payload}.`);
    });

    it('X-08: a token signed with another key is rejected (HS256 secret, Ed25519 key, our kid reused)', async () => {
      const foreign = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(tokenIssuer(t.config))
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(randomBytes(32));
      await rejected(foreign);
      const genuine = await issueToken(t.config, { sub: single.publicKey() });
      const { kid } = JSON.parse(Buffer.from(genuine.split('.')[0]!, 'base64url').toString()) as {
        kid: string;
      };
      const sameKid = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid })
        .setIssuer(tokenIssuer(t.config))
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(randomBytes(32));
      await rejected(sameKid);
      const { privateKey } = generateKeyPairSync('ed25519');
      const ed = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer(tokenIssuer(t.config))
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
      await rejected(ed);
    });

    it('X-08 S10-35: an expired token, a token from another issuer and a tampered payload are rejected', async () => {
      await rejected(await issueToken(t.config, { sub: single.publicKey(), now: now() - 86_401 }));
      const other = testConfig({ PUBLIC_URL: 'https://other-anchor.example.com' });
      await rejected(await issueToken({ ...other, auth: t.config.auth }, { sub: single.publicKey() }));
      const [h64, , s64] = (await issueToken(t.config, { sub: single.publicKey() })).split('.');
      const forgedPayload = base64url.encode(
        JSON.stringify({
          sub: multisig.publicKey(),
          iss: tokenIssuer(t.config),
          iat: now(),
          exp: now() + 60,
        }),
      );
      await rejected(`${h64}.${forgedPayload}.${s64}`);
    });

    it('X-08: a missing, non-Bearer or malformed Authorization header is rejected with the SEP’s shape', async () => {
      const app = protectedApp();
      for (const header of [
        undefined,
        'Basic dXNlcjpwYXNz',
        'Bearer',
        'Bearer a.b',
        'Bearer not a token',
        'Token x.y.z',
      ]) {
        const res = await app.request('/sep24-style', header ? { headers: { Authorization: header } } : {});
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({ type: 'authentication_required' });
        const kyc = await app.request('/sep12-style', header ? { headers: { Authorization: header } } : {});
        expect(kyc.status).toBe(401);
      }
      await rejected('eyJub3QiOiJqc29uIg.e30.sig');
    });

    it('X-10: a sub that is not G..., G...:memo or M... is rejected even when properly signed', async () => {
      await rejected(await issueToken(t.config, { sub: 'alice' }));
      await rejected(await issueToken(t.config, { sub: `${single.publicKey()}:abc` }));
    });

    it('S10-37: EdDSA and ES256 tokens verify with their own key, publish a JWKS and refuse HS256 with the public key (alg confusion)', async () => {
      for (const [alg, kind] of [
        ['EdDSA', 'ed25519'],
        ['ES256', 'ec'],
      ] as const) {
        const pem = (
          kind === 'ec'
            ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
            : generateKeyPairSync('ed25519').privateKey
        )
          .export({ type: 'pkcs8', format: 'pem' })
          .toString();
        const config = testConfig({ JWT_ALGORITHM: alg, JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
        const token = await issueToken(config, { sub: single.publicKey() });
        expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg).toBe(alg);
        expect((await verifyToken(config, token)).sub).toBe(single.publicKey());
        await expect(verifyToken(t.config, token)).rejects.toBeInstanceOf(InvalidTokenError);
        const { publicJwks } = await import('../../api/sep10/jwt.js');
        const jwks = publicJwks(config).keys;
        expect(jwks).toHaveLength(1);
        expect(jwks[0]).not.toHaveProperty('d');
        const confused = await new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: jwks[0]!.kid! })
          .setIssuer(tokenIssuer(config))
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(JSON.stringify(jwks[0])));
        await expect(verifyToken(config, confused)).rejects.toBeInstanceOf(InvalidTokenError);
      }
    });

    it('S10-37: key rotation accepts the previous key’s tokens until JWT_PREVIOUS_ACCEPT_UNTIL, and never without it', async () => {
      const oldSecret = randomBytes(32).toString('hex');
      const before = testConfig({ JWT_SECRET: oldSecret });
      const oldToken = await issueToken(before, { sub: single.publicKey() });
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const rotated = (until?: string) =>
        testConfig({
          JWT_ALGORITHM: 'EdDSA',
          JWT_PRIVATE_KEY: pem,
          JWT_PREVIOUS_ALGORITHM: 'HS256',
          JWT_PREVIOUS_SECRET: oldSecret,
          ...(until ? { JWT_PREVIOUS_ACCEPT_UNTIL: until } : {}),
        });
      expect((await verifyToken(rotated(), oldToken)).sub).toBe(single.publicKey());
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await verifyToken(rotated(future), oldToken)).sub).toBe(single.publicKey());
      const past = new Date(Date.now() - 1000).toISOString();
      await expect(verifyToken(rotated(past), oldToken)).rejects.toBeInstanceOf(InvalidTokenError);
      const newToken = await issueToken(rotated(past), { sub: single.publicKey() });
      expect((await verifyToken(rotated(past), newToken)).sub).toBe(single.publicKey());
      const withoutPrevious = testConfig({ JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: pem });
      await expect(verifyToken(withoutPrevious, oldToken)).rejects.toBeInstanceOf(InvalidTokenError);
      // a previous key never signs: new tokens come from the current key only
      await expect(verifyToken(before, newToken)).rejects.toBeInstanceOf(InvalidTokenError);
    });

    it('S10-37: a misconfigured key is a start-up error naming the key, never its value', () => {
      expect(() => testConfig({ JWT_ALGORITHM: 'EdDSA' })).toThrow(/JWT_PRIVATE_KEY: required/);
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      let message = '';
      try {
        testConfig({ JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: ec });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/JWT_PRIVATE_KEY: EdDSA needs an Ed25519 key/);
      expect(message).not.toContain('PRIVATE KEY-----');
    });
  });
});

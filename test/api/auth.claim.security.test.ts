/**
 * POST /auth makes its rate-limit hit and its replay claim in one Postgres statement before the Horizon lookup,
 * and releases the claim when a later check fails. These tests pin what that ordering must not change: a failed
 * or Horizon-less attempt burns no challenge, an over-limit or replayed POST never reaches Horizon, concurrent
 * replays still yield exactly one token (S10-17, S10-26, S10-31).
 */
import { Keypair, TransactionBuilder } from '@stellar/stellar-sdk';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, HttpError } from '../../api/middleware/errors.js';
import { sep10App } from '../../api/sep10/index.js';
import type { AccountSigners } from '../../api/sep10/verify.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { getChallenge, postChallenge, signChallenge } from '../helpers/sep10.js';

describe('SEP-10 POST: one statement for rate limit + replay claim, released on failure', () => {
  let tdb: TestDb;
  let config: AppConfig;
  let app: Hono;
  const single = Keypair.random();
  const stranger = Keypair.random();
  // Horizon stand-in (an outside system): `single` is on the ledger with its master key; calls are counted,
  // and `down` makes it fail like an unreachable Horizon.
  let horizonCalls = 0;
  let down = false;
  const accountSigners: AccountSigners = async (accountId) => {
    horizonCalls++;
    if (down) {
      throw new HttpError(
        503,
        'cannot load the account from Horizon right now; try again',
        'horizon_unavailable',
      );
    }
    if (accountId !== single.publicKey()) return undefined;
    return { signers: [{ key: accountId, weight: 1, type: 'ed25519_public_key' }], mediumThreshold: 0 };
  };

  beforeAll(async () => {
    tdb = await createTestDb('auth_claim');
    config = testConfig({
      SEP10_RATE_LIMIT_MAX: '4',
      SEP10_RATE_LIMIT_WINDOW_SECONDS: '600',
      TRUSTED_PROXY_HOPS: '1',
    });
    app = new Hono();
    app.route('/auth', sep10App({ config, db: tdb.db, accountSigners }));
    app.onError(errorHandler(createLogger('test', 'silent')));
  });
  afterAll(async () => {
    await tdb?.destroy();
  });

  const passphrase = () => config.stellar.networkPassphrase;
  // Each test its own client IP, so the buckets do not interfere.
  const from = (ip: string) => ({
    request: (path: string, init: RequestInit = {}) =>
      app.request(path, { ...init, headers: { ...(init.headers ?? {}), 'X-Forwarded-For': ip } }),
  });
  const claimed = async (xdr: string) => {
    const hash = TransactionBuilder.fromXDR(xdr, passphrase()).hash().toString('hex');
    const row = await tdb.db
      .selectFrom('sep10_used_challenges')
      .select('hash')
      .where('hash', '=', hash)
      .executeTakeFirst();
    return row !== undefined;
  };

  it('S10-26 S10-31: a challenge signed by the wrong key is 400 and not burnt: signed properly it still buys a token', async () => {
    const client = from('192.0.2.1');
    const { body } = await getChallenge(client, { account: single.publicKey() });
    const wrong = signChallenge(body.transaction!, passphrase(), stranger);
    const rejected = await postChallenge(client, wrong);
    expect(rejected.res.status).toBe(400);
    expect(rejected.body.error).toMatch(/unrecognized|signers/);
    expect(await claimed(wrong)).toBe(false);
    const right = signChallenge(body.transaction!, passphrase(), single);
    const ok = await postChallenge(client, right);
    expect(ok.res.status).toBe(200);
    expect(ok.body.token).toBeTruthy();
    expect(await claimed(right)).toBe(true);
  });

  it('S10-31 X-02: Horizon down is 503 and releases the claim; the same challenge works once Horizon is back', async () => {
    const client = from('192.0.2.2');
    const { body } = await getChallenge(client, { account: single.publicKey() });
    const signed = signChallenge(body.transaction!, passphrase(), single);
    down = true;
    try {
      expect((await postChallenge(client, signed)).res.status).toBe(503);
    } finally {
      down = false;
    }
    expect(await claimed(signed)).toBe(false);
    expect((await postChallenge(client, signed)).res.status).toBe(200);
  });

  it('S10-31: a replay is rejected without a Horizon lookup, and racing replays yield exactly one token', async () => {
    const client = from('192.0.2.3');
    const { body } = await getChallenge(client, { account: single.publicKey() });
    const signed = signChallenge(body.transaction!, passphrase(), single);
    const before = horizonCalls;
    const results = await Promise.all([1, 2, 3].map(() => postChallenge(client, signed)));
    expect(results.map((r) => r.res.status).sort()).toEqual([200, 400, 400]);
    expect(
      results.filter((r) => r.res.status === 400).every((r) => /already been used/.test(r.body.error!)),
    ).toBe(true);
    expect(horizonCalls - before).toBe(1);
  });

  it('S10-17: over the limit a signed challenge is 429 with Retry-After, never reaches Horizon and is not burnt', async () => {
    const client = from('192.0.2.4');
    // GET has its own bucket; four POSTs (the limit) with garbage bodies count as hits too.
    const { body } = await getChallenge(client, { account: single.publicKey() });
    const signed = signChallenge(body.transaction!, passphrase(), single);
    for (let i = 0; i < 4; i++) {
      const res = await client.request('/auth', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ transaction: 'not-xdr' }),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(3 - i));
    }
    const before = horizonCalls;
    const limited = await postChallenge(client, signed);
    expect(limited.res.status).toBe(429);
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.error).toMatch(/too many requests/);
    expect(horizonCalls).toBe(before);
    expect(await claimed(signed)).toBe(false);
    // Over the limit even a malformed request is a 429, as before any parsing.
    const garbage = await client.request('/auth', { method: 'POST' });
    expect(garbage.status).toBe(429);
  });
});

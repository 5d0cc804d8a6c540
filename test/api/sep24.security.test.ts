import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../api/sep10/jwt.js';
import { createStartToken } from '../../core/interactive-tokens.js';
import { getTransaction } from '../../db/transactions.js';
import { testConfig } from '../helpers/config.js';
import { bearer, createSep24Api, jsonPost, type Sep24Api } from './sep24.helpers.js';

interface InteractiveResponse {
  url: string;
  id: string;
}

describe('SEP-24 security: auth, isolation by sub, one-time interactive tokens, embedding', () => {
  let api: Sep24Api;
  const alice = Keypair.random().publicKey();
  const bob = Keypair.random().publicKey();
  let aliceToken: string;
  let bobToken: string;

  beforeAll(async () => {
    api = await createSep24Api({ SEP24_FRAME_ANCESTORS: 'https://wallet.example.com' });
    aliceToken = await api.tokenFor(alice);
    bobToken = await api.tokenFor(bob);
  });
  afterAll(async () => {
    await api?.close();
  });

  const deposit = async (t: string, body: Record<string, unknown> = { asset_code: 'USDC', amount: '25' }) => {
    const res = await api.request('/sep24/transactions/deposit/interactive', jsonPost(t, body));
    expect(res.status).toBe(200);
    return (await res.json()) as InteractiveResponse;
  };

  it('S24-02, X-09: no JWT, a garbage JWT or a JWT signed by another key gives 403 {"type":"authentication_required"}', async () => {
    const foreign = await issueToken(testConfig({ JWT_SECRET: 'x'.repeat(40) }), { sub: alice });
    for (const headers of [{}, { Authorization: 'Bearer nope' }, bearer(foreign)]) {
      for (const [path, init] of [
        [
          '/sep24/transactions/deposit/interactive',
          {
            method: 'POST',
            headers: { ...headers, 'Content-Type': 'application/json' },
            body: '{"asset_code":"USDC"}',
          },
        ],
        ['/sep24/transaction?id=x', { headers }],
        ['/sep24/transactions?asset_code=USDC', { headers }],
      ] as const) {
        const res = await api.request(path, init);
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({ type: 'authentication_required' });
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
      }
    }
    expect(await api.tdb.db.selectFrom('transactions').select('id').execute()).toEqual([]);
  });

  it('X-03: CORS preflight on the deposit endpoint allows Authorization', async () => {
    const res = await api.request('/sep24/transactions/deposit/interactive', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://wallet.example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it("S24-38: another user's transaction is a 404, exactly like a missing one", async () => {
    const { id } = await deposit(aliceToken);
    const res = await api.request(`/sep24/transaction?id=${id}`, { headers: bearer(bobToken) });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'transaction not found' });
    const list = await api.request('/sep24/transactions?asset_code=USDC', { headers: bearer(bobToken) });
    expect(((await list.json()) as { transactions: unknown[] }).transactions).toEqual([]);
  });

  it('S24-34, X-10: a shared account with memos sees only its own sub-user transactions, never the whole G account', async () => {
    const shared = Keypair.random().publicKey();
    const one = await api.tokenFor(`${shared}:1`);
    const two = await api.tokenFor(`${shared}:2`);
    const plain = await api.tokenFor(shared);
    const a = await deposit(one);
    const b = await deposit(two);
    const ids = async (t: string) =>
      (
        (await (await api.request('/sep24/transactions?asset_code=USDC', { headers: bearer(t) })).json()) as {
          transactions: { id: string }[];
        }
      ).transactions.map((x) => x.id);
    expect(await ids(one)).toEqual([a.id]);
    expect(await ids(two)).toEqual([b.id]);
    expect(await ids(plain)).toEqual([]);
    // The sub-user's memo names them on the payment when they deposit to the shared account itself.
    expect((await getTransaction(api.tdb.db, a.id))?.memo).toBe('1');
    const cross = await api.request(`/sep24/transaction?id=${a.id}`, { headers: bearer(two) });
    expect(cross.status).toBe(404);
  });

  it('S24-18: the interactive token works once; a reuse, a wrong transaction or an expired token is refused', async () => {
    const { url, id } = await deposit(aliceToken);
    const path = url.replace(api.config.api.publicUrl, '');
    const first = await api.request(path);
    expect(first.status).toBe(303);
    const next = first.headers.get('location')!;
    expect(next).toMatch(/^\/sep24\/interactive\/deposit\/amount\?transaction_id=.+&session=.+&lang=en$/);
    expect(next).not.toContain(new URL(url).searchParams.get('token')!);

    const again = await api.request(path);
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('expired or was already used');

    // A valid token presented for another transaction.
    const other = await deposit(aliceToken);
    const token = new URL(other.url).searchParams.get('token')!;
    const swapped = await api.request(`/sep24/interactive/deposit?transaction_id=${id}&token=${token}`);
    expect(swapped.status).toBe(403);

    const expired = await createStartToken(api.tdb.db, {
      transactionId: id,
      ttlSeconds: 60,
      now: new Date(Date.now() - 120_000),
    });
    const late = await api.request(`/sep24/interactive/deposit?transaction_id=${id}&token=${expired}`);
    expect(late.status).toBe(403);

    // Only hashes are stored.
    const stored = await api.tdb.db.selectFrom('interactive_tokens').select('token_hash').execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(token);
  });

  it('S24-18: a session of one transaction cannot open the pages of another', async () => {
    const a = await deposit(aliceToken);
    const b = await deposit(aliceToken);
    const start = await api.request(a.url.replace(api.config.api.publicUrl, ''));
    const session = new URL(`http://x${start.headers.get('location')}`).searchParams.get('session')!;
    const ok = await api.request(
      `/sep24/interactive/deposit/amount?transaction_id=${a.id}&session=${session}`,
    );
    expect(ok.status).toBe(200);
    const wrong = await api.request(
      `/sep24/interactive/deposit/amount?transaction_id=${b.id}&session=${session}`,
    );
    expect(wrong.status).toBe(403);
  });

  it('hosted pages can be framed only by SEP24_FRAME_ANCESTORS, never cached, no frame-busting header', async () => {
    const { url } = await deposit(aliceToken);
    const start = await api.request(`${url.replace(api.config.api.publicUrl, '')}&callback=postMessage`);
    const page = await api.request(start.headers.get('location')!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(
      'frame-ancestors https://wallet.example.com',
    );
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

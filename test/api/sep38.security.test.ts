import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../api/sep10/jwt.js';
import { testConfig } from '../helpers/config.js';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, postQuote, USDC_ID } from './sep38.helpers.js';

describe('SEP-38 security: auth on firm quotes, quotes owned by their account', () => {
  let api: Sep24Api;
  let usdc: string;
  const alice = Keypair.random().publicKey();
  const bob = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's38s' });
    usdc = USDC_ID(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  const quoteBody = () => ({
    sell_asset: usdc,
    buy_asset: 'iso4217:BRL',
    sell_amount: '100',
    context: 'sep6',
  });

  it('S38-01, S38-15, S38-16: POST /quote and GET /quote/:id without, with a garbage or a foreign JWT give 403 {"error"} — before the body is read', async () => {
    const foreign = await issueToken(testConfig({ JWT_SECRET: 'y'.repeat(40) }), { sub: alice });
    for (const token of [null, 'garbage', foreign]) {
      const init = (body: string) => ({
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
      for (const body of [JSON.stringify(quoteBody()), '{broken']) {
        const res = await api.request('/sep38/quote', init(body));
        expect(res.status).toBe(403);
        const json = (await res.json()) as Record<string, unknown>;
        expect(Object.keys(json)).toEqual(['error']);
        expect(typeof json.error).toBe('string');
      }
      const read = await getJson(
        api,
        '/sep38/quote/00000000-0000-4000-8000-000000000000',
        token ?? undefined,
      );
      expect(read.status).toBe(403);
      expect(typeof read.body.error).toBe('string');
    }
  });

  it('S38-01: /info, /prices and /price need no JWT', async () => {
    expect((await getJson(api, '/sep38/info')).status).toBe(200);
    expect(
      (await getJson(api, `/sep38/prices?sell_asset=${encodeURIComponent(usdc)}&sell_amount=1`)).status,
    ).toBe(200);
  });

  it('S38-08: another account’s quote is 404, as is an unknown or non-UUID id', async () => {
    const aliceToken = await api.tokenFor(alice);
    const bobToken = await api.tokenFor(bob);
    const created = await postQuote(api, aliceToken, quoteBody());
    expect(created.status).toBe(201);
    const asBob = await getJson(api, `/sep38/quote/${created.body.id}`, bobToken);
    expect(asBob.status).toBe(404);
    expect(asBob.body).toEqual({ error: 'quote not found' });
    // A muxed sub of Alice's account is a different user (data is keyed by the full sub).
    const muxedAlice = await api.tokenFor(`${alice}:7`);
    expect((await getJson(api, `/sep38/quote/${created.body.id}`, muxedAlice)).status).toBe(404);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "x'or'1'='1"]) {
      const res = await getJson(api, `/sep38/quote/${encodeURIComponent(id)}`, aliceToken);
      expect(res.status, id).toBe(404);
      expect(typeof res.body.error).toBe('string');
    }
  });

  it('S38-07: a quote can be neither read nor created for someone else by naming them in the body', async () => {
    const aliceToken = await api.tokenFor(alice);
    const res = await postQuote(api, aliceToken, { ...quoteBody(), sub: bob, account: bob });
    expect(res.status).toBe(201);
    const row = await api.tdb.db
      .selectFrom('quotes')
      .select('sub')
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(row.sub).toBe(alice);
  });
});

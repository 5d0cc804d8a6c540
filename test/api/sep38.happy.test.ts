import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, div, mul, parseDecimal, round, sub } from '../../core/quotes/decimal.js';
import { reserveQuote } from '../../db/quotes.js';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, postQuote, qs, USDC_ID } from './sep38.helpers.js';

const d = parseDecimal;
const same = (a: string, b: string) => compare(d(a), d(b)) === 0;

describe('SEP-38 happy paths: info, prices, price, firm quotes', () => {
  let api: Sep24Api;
  let usdc: string;
  let token: string;
  const alice = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's38h' });
    usdc = USDC_ID(api);
    token = await api.tokenFor(alice);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('S1-09, S38-01: stellar.toml lists ANCHOR_QUOTE_SERVER and the OpenAPI document covers every route', async () => {
    const toml = await (await api.request('/.well-known/stellar.toml')).text();
    expect(toml).toContain(`ANCHOR_QUOTE_SERVER = "${api.config.api.publicUrl}/sep38"`);
    const doc = (await (await api.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of [
      '/sep38/info',
      '/sep38/prices',
      '/sep38/price',
      '/sep38/quote',
      '/sep38/quote/{id}',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('S38-03, S38-10: /info without a JWT — the Stellar asset first with no delivery keys, USD and BRL with bank_transfer', async () => {
    const { status, type, body } = await getJson(api, '/sep38/info');
    expect(status).toBe(200);
    expect(type).toContain('application/json');
    expect(body.assets[0]).toEqual({ asset: usdc });
    const method = [{ name: 'bank_transfer', description: expect.any(String) }];
    expect(body.assets.slice(1)).toEqual([
      { asset: 'iso4217:USD', sell_delivery_methods: method, buy_delivery_methods: method },
      { asset: 'iso4217:BRL', sell_delivery_methods: method, buy_delivery_methods: method },
    ]);
  });

  it('S38-04, S38-11: /prices selling 100 USDC lists only buy_assets, off-chain first, prices non-zero', async () => {
    const { status, body } = await getJson(
      api,
      `/sep38/prices?${qs({ sell_asset: usdc, sell_amount: '100' })}`,
    );
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['buy_assets']);
    expect(body.buy_assets.map((a: { asset: string }) => a.asset)).toEqual(['iso4217:USD', 'iso4217:BRL']);
    for (const item of body.buy_assets) {
      expect(Object.keys(item).sort()).toEqual(['asset', 'decimals', 'price']);
      expect(item.decimals).toBe(2);
      expect(compare(d(item.price), d('0'))).toBe(1);
    }
    // 1 % spread at USD=1: 99 USD for 100 USDC, so one USD costs 100/99 USDC.
    expect(body.buy_assets[0].price.startsWith('1.0101010101')).toBe(true);
  });

  it('S38-12, A-15: /prices selling BRL lists the Stellar asset; a lone buy_asset filters; buy side gives sell_assets', async () => {
    const brl = await getJson(api, `/sep38/prices?${qs({ sell_asset: 'iso4217:BRL', sell_amount: '100' })}`);
    expect(brl.status).toBe(200);
    expect(brl.body).toEqual({ buy_assets: [{ asset: usdc, price: expect.any(String), decimals: 7 }] });
    const filtered = await getJson(
      api,
      `/sep38/prices?${qs({ sell_asset: usdc, sell_amount: '100', buy_asset: 'iso4217:BRL' })}`,
    );
    expect(filtered.body.buy_assets.map((a: { asset: string }) => a.asset)).toEqual(['iso4217:BRL']);
    const buySide = await getJson(api, `/sep38/prices?${qs({ buy_asset: usdc, buy_amount: '10' })}`);
    expect(buySide.status).toBe(200);
    expect(Object.keys(buySide.body)).toEqual(['sell_assets']);
    expect(buySide.body.sell_assets).toHaveLength(2);
  });

  it('S38-05, S38-06, S38-13, S38-14: /price has exactly the five keys and its math holds (sell and buy fixed, with and without a delivery method)', async () => {
    const cases = [
      { sell_asset: 'iso4217:BRL', buy_asset: usdc, sell_amount: '100', context: 'sep6' },
      {
        sell_asset: usdc,
        buy_asset: 'iso4217:BRL',
        sell_amount: '100',
        context: 'sep6',
        buy_delivery_method: 'bank_transfer',
      },
      { sell_asset: usdc, buy_asset: 'iso4217:BRL', buy_amount: '100', context: 'sep24' },
      {
        sell_asset: 'iso4217:USD',
        buy_asset: usdc,
        buy_amount: '100',
        context: 'sep6',
        sell_delivery_method: 'bank_transfer',
      },
    ];
    for (const params of cases) {
      const { status, body } = await getJson(api, `/sep38/price?${qs(params)}`);
      expect(status, JSON.stringify(params)).toBe(200);
      expect(Object.keys(body).sort()).toEqual(['buy_amount', 'fee', 'price', 'sell_amount', 'total_price']);
      if (params.sell_amount) expect(body.sell_amount).toBe(params.sell_amount);
      if (params.buy_amount) expect(body.buy_amount).toBe(params.buy_amount);
      expect(body.fee.asset).toBe(params.sell_asset);
      expect(compare(d(body.fee.total), d('0'))).toBe(1);
      const sellDec = params.sell_asset.startsWith('stellar:') ? 7 : 2;
      const buyDec = params.buy_asset.startsWith('stellar:') ? 7 : 2;
      const sell = d(body.sell_amount);
      const buy = d(body.buy_amount);
      const fee = d(body.fee.total);
      expect(compare(round(mul(d(body.total_price), buy), sellDec, 'half-up'), sell)).toBe(0);
      expect(compare(round(mul(d(body.price), buy), sellDec, 'half-up'), sub(sell, fee))).toBe(0);
      expect(compare(round(div(sell, d(body.total_price)), buyDec, 'half-up'), buy)).toBe(0);
    }
  });

  it('S38-07, S38-15, S38-16: POST /quote answers 201 with only the S38-07 keys; GET /quote/:id replays it exactly', async () => {
    const before = Date.now();
    const created = await postQuote(api, token, {
      sell_asset: usdc,
      buy_asset: 'iso4217:BRL',
      sell_amount: '100',
      context: 'sep6',
      buy_delivery_method: 'bank_transfer',
    });
    expect(created.status).toBe(201);
    const q = created.body;
    expect(Object.keys(q).sort()).toEqual(
      [
        'buy_amount',
        'buy_asset',
        'buy_delivery_method',
        'expires_at',
        'fee',
        'id',
        'price',
        'sell_amount',
        'sell_asset',
        'total_price',
      ].sort(),
    );
    expect(q.sell_asset).toBe(usdc);
    expect(q.buy_asset).toBe('iso4217:BRL');
    expect(q.sell_amount).toBe('100');
    // 1 USDC = 5.4 BRL, 1 % spread: 99 USDC → 534.60 BRL.
    expect(q.buy_amount).toBe('534.6');
    expect(q.fee).toMatchObject({ total: '1', asset: usdc });
    expect(q.expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(q.expires_at)).toBeGreaterThan(before);
    expect(Date.parse(q.expires_at)).toBeLessThanOrEqual(before + api.config.sep38.quoteTtlSeconds * 1000);

    const read = await getJson(api, `/sep38/quote/${q.id}`, token);
    expect(read.status).toBe(200);
    expect(read.body).toStrictEqual(q);
  });

  it('S38-07: buy_amount fixed, expire_after within the hold time', async () => {
    const expireAfter = new Date(Date.now() + 60_000).toISOString();
    const { status, body } = await postQuote(api, token, {
      sell_asset: 'iso4217:BRL',
      buy_asset: usdc,
      buy_amount: '10',
      context: 'sep24',
      expire_after: expireAfter,
    });
    expect(status).toBe(201);
    expect(body.buy_amount).toBe('10');
    expect(Date.parse(body.expires_at)).toBeGreaterThanOrEqual(Date.parse(expireAfter) - 1000);
    // 10 USDC at 5.4 = 54.00 BRL net; the spread is 1 % of the gross: 54 / 0.99 → fee 0.55.
    expect(body.sell_amount).toBe('54.55');
    expect(body.fee.total).toBe('0.55');
  });

  it('S38-08: a quote stays retrievable after expires_at, but can no longer be reserved', async () => {
    const { body: q } = await postQuote(api, token, {
      sell_asset: 'iso4217:USD',
      buy_asset: usdc,
      sell_amount: '20',
      context: 'sep6',
    });
    await api.tdb.db
      .updateTable('quotes')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', q.id)
      .execute();
    const read = await getJson(api, `/sep38/quote/${q.id}`, token);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(q.id);
    const r = await reserveQuote(api.tdb.db, {
      id: q.id,
      sub: alice,
      transactionId: 'tx-late',
      now: new Date(),
    });
    expect(r).toEqual({ ok: false, reason: 'expired' });
  });

  it('S38-07: a live quote is reserved by one transfer only (retries of that transfer are fine)', async () => {
    const { body: q } = await postQuote(api, token, {
      sell_asset: 'iso4217:BRL',
      buy_asset: usdc,
      sell_amount: '50',
      context: 'sep6',
    });
    const now = new Date();
    const first = await reserveQuote(api.tdb.db, { id: q.id, sub: alice, transactionId: 'tx-1', now });
    expect(first.ok).toBe(true);
    expect(
      await reserveQuote(api.tdb.db, { id: q.id, sub: alice, transactionId: 'tx-1', now }),
    ).toMatchObject({ ok: true });
    expect(await reserveQuote(api.tdb.db, { id: q.id, sub: alice, transactionId: 'tx-2', now })).toEqual({
      ok: false,
      reason: 'used',
    });
    const other = Keypair.random().publicKey();
    expect(await reserveQuote(api.tdb.db, { id: q.id, sub: other, transactionId: 'tx-3', now })).toEqual({
      ok: false,
      reason: 'not_found',
    });
    void same;
  });
});

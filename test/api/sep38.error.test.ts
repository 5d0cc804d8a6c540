import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, postQuote, qs, USDC_ID } from './sep38.helpers.js';

describe('SEP-38 errors: 400 {"error"} for every invalid request', () => {
  let api: Sep24Api;
  let usdc: string;
  let token: string;

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's38e' });
    usdc = USDC_ID(api);
    token = await api.tokenFor(Keypair.random().publicKey());
  });
  afterAll(async () => {
    await api?.close();
  });

  const expect400 = async (path: string, pattern: RegExp) => {
    const { status, body } = await getJson(api, path);
    expect(status, path).toBe(400);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(pattern);
  };

  it('S38-04: /prices needs exactly one complete side', async () => {
    await expect400('/sep38/prices', /exactly one/);
    await expect400(
      `/sep38/prices?${qs({ sell_asset: usdc, sell_amount: '1', buy_asset: 'iso4217:BRL', buy_amount: '1' })}`,
      /exactly one/,
    );
    await expect400(`/sep38/prices?${qs({ sell_asset: usdc })}`, /exactly one/);
  });

  it('S38-02: unknown or malformed assets, and pairs that are not offered', async () => {
    await expect400(`/sep38/prices?${qs({ sell_asset: 'iso4217:EUR', sell_amount: '1' })}`, /not offered/);
    await expect400(`/sep38/prices?${qs({ sell_asset: 'USDC', sell_amount: '1' })}`, /SEP-38 asset/);
    await expect400(
      `/sep38/price?${qs({ sell_asset: `stellar:USDC:${Keypair.random().publicKey()}`, buy_asset: 'iso4217:BRL', sell_amount: '1', context: 'sep6' })}`,
      /not offered/,
    );
    await expect400(
      `/sep38/price?${qs({ sell_asset: 'iso4217:USD', buy_asset: 'iso4217:BRL', sell_amount: '1', context: 'sep6' })}`,
      /not offered/,
    );
  });

  it('S38-05: /price needs both assets, one amount and a context we serve (A-06: sep24 allowed)', async () => {
    const base = { sell_asset: 'iso4217:BRL', buy_asset: usdc };
    await expect400(`/sep38/price?${qs({ ...base, sell_amount: '10' })}`, /context/);
    await expect400(`/sep38/price?${qs({ ...base, sell_amount: '10', context: 'sep31' })}`, /sep31/);
    await expect400(`/sep38/price?${qs({ ...base, sell_amount: '10', context: 'nope' })}`, /context/);
    await expect400(`/sep38/price?${qs({ ...base, context: 'sep6' })}`, /exactly one/);
    await expect400(
      `/sep38/price?${qs({ ...base, sell_amount: '1', buy_amount: '1', context: 'sep6' })}`,
      /exactly one/,
    );
    await expect400(
      `/sep38/price?${qs({ buy_asset: usdc, sell_amount: '1', context: 'sep6' })}`,
      /sell_asset/,
    );
  });

  it('amounts: not a decimal, zero, finer than the asset, or too small to buy anything', async () => {
    const base = { sell_asset: 'iso4217:BRL', buy_asset: usdc, context: 'sep6' };
    await expect400(`/sep38/price?${qs({ ...base, sell_amount: '1e3' })}`, /decimal/);
    await expect400(`/sep38/price?${qs({ ...base, sell_amount: '-5' })}`, /decimal/);
    await expect400(`/sep38/price?${qs({ ...base, sell_amount: '0' })}`, /greater than zero/);
    await expect400(`/sep38/price?${qs({ ...base, sell_amount: '10.001' })}`, /2 decimal places/);
    await expect400(`/sep38/price?${qs({ ...base, sell_amount: '0.01' })}`, /too small/);
  });

  it('S38-03: a delivery method must be one the asset offers; Stellar assets have none', async () => {
    await expect400(
      `/sep38/price?${qs({ sell_asset: 'iso4217:BRL', buy_asset: usdc, sell_amount: '10', context: 'sep6', sell_delivery_method: 'cash' })}`,
      /cash is not offered/,
    );
    await expect400(
      `/sep38/price?${qs({ sell_asset: 'iso4217:BRL', buy_asset: usdc, sell_amount: '10', context: 'sep6', buy_delivery_method: 'bank_transfer' })}`,
      /Stellar assets have no delivery method/,
    );
  });

  it('S38-07: POST /quote refuses an expire_after it cannot honour, a bad body and a non-JSON body', async () => {
    const body = { sell_asset: usdc, buy_asset: 'iso4217:BRL', sell_amount: '10', context: 'sep6' };
    const far = new Date(Date.now() + 2 * api.config.sep38.quoteTtlSeconds * 1000).toISOString();
    for (const [bad, pattern] of [
      [{ ...body, expire_after: far }, /too far/],
      [{ ...body, expire_after: 'tomorrow' }, /ISO 8601/],
      [{ ...body, sell_amount: 10 }, /sell_amount:? must be a string/],
      [{ ...body, context: undefined }, /context/],
      [{ buy_asset: 'iso4217:BRL', sell_amount: '10', context: 'sep6' }, /sell_asset:? is required/],
      ['{not json', /JSON|json/],
    ] as const) {
      const res = await postQuote(api, token, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toMatch(pattern);
    }
    const form = await api.request('/sep38/quote', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'sell_asset=x',
    });
    expect(form.status).toBe(400);
    expect(((await form.json()) as { error: string }).error).toMatch(/application\/json/);
  });
});

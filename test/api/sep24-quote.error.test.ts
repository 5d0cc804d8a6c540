import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brlToUsdc,
  expireQuote,
  firmQuote,
  quoteReservation,
  rowsWithQuote,
  usdcToBrl,
} from './sep6-exchange.helpers.js';
import { createSep24Api, jsonPost, type Sep24Api } from './sep24.helpers.js';
import { USDC_ID } from './sep38.helpers.js';

/**
 * SEP-24 POST /transactions/{deposit,withdraw}/interactive with quote_id (S24-10, S24-15): every conflict with
 * the quote, and an unknown, another user's, expired, used or SEP-6 quote, is 400 `{"error"}`; the quote stays
 * free and no transaction is written.
 */
describe('SEP-24 quote_id errors: 400 {"error"} and the quote untouched', () => {
  let api: Sep24Api;
  let token: string;
  let bobToken: string;
  const alice = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's24qe' });
    token = await api.tokenFor(alice);
    bobToken = await api.tokenFor(Keypair.random().publicKey());
  });
  afterAll(async () => {
    await api?.close();
  });

  const deposit = async (body: Record<string, string>, jwt = token) =>
    api.request('/sep24/transactions/deposit/interactive', jsonPost(jwt, { asset_code: 'USDC', ...body }));
  const withdraw = async (body: Record<string, string>, jwt = token) =>
    api.request('/sep24/transactions/withdraw/interactive', jsonPost(jwt, { asset_code: 'USDC', ...body }));
  const expect400 = async (res: Response, pattern: RegExp) => {
    const body = (await res.json()) as { error: string };
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(pattern);
  };

  it('S24-10: amount or source_asset conflicting with the quote is 400', async () => {
    const q = await brlToUsdc(api, token, '540', 'sep24');
    await expect400(
      await deposit({ quote_id: q.id, amount: '500' }),
      /amount 500 conflicts with the quote's sell_amount 540/,
    );
    await expect400(await deposit({ quote_id: q.id, amount: q.buy_amount }), /conflicts/);
    await expect400(
      await deposit({ quote_id: q.id, source_asset: 'iso4217:USD' }),
      /source_asset iso4217:USD conflicts with the quote's iso4217:BRL/,
    );
    await expect400(await deposit({ quote_id: q.id, source_asset: 'iso4217:EUR' }), /iso4217:EUR/);
    expect(await quoteReservation(api, q.id)).toBeNull();
  });

  it('S24-15: amount or destination_asset conflicting with the quote, or a quote for the other direction, is 400', async () => {
    const q = await usdcToBrl(api, token, '50', 'sep24');
    await expect400(
      await withdraw({ quote_id: q.id, amount: '40' }),
      /conflicts with the quote's sell_amount 50/,
    );
    const usd = await firmQuote(api, token, {
      sell_asset: USDC_ID(api),
      buy_asset: 'iso4217:USD',
      sell_amount: '50',
      context: 'sep24',
    });
    await expect400(
      await withdraw({ quote_id: usd.id, destination_asset: 'iso4217:BRL' }),
      /destination_asset iso4217:BRL conflicts with the quote's iso4217:USD/,
    );
    await expect400(await deposit({ quote_id: q.id }), /the quote's buy_asset is iso4217:BRL/);
    const buy = await brlToUsdc(api, token, '540', 'sep24');
    await expect400(await withdraw({ quote_id: buy.id }), /the quote's sell_asset is iso4217:BRL/);
    for (const id of [q.id, usd.id, buy.id]) expect(await quoteReservation(api, id)).toBeNull();
  });

  it('S24-10, S24-15, S38-08: an unknown or another user’s quote is the same 400; the owner’s quote stays free', async () => {
    const dq = await brlToUsdc(api, token, '540', 'sep24');
    const wq = await usdcToBrl(api, token, '50', 'sep24');
    await expect400(
      await deposit({ quote_id: dq.id }, bobToken),
      new RegExp(`quote_id ${dq.id} is not a quote of this account`),
    );
    await expect400(await withdraw({ quote_id: wq.id }, bobToken), /is not a quote of this account/);
    await expect400(
      await deposit({ quote_id: '00000000-0000-4000-8000-000000000000' }),
      /is not a quote of this account/,
    );
    await expect400(await withdraw({ quote_id: 'not a quote' }), /quote_id is not a quote id/);
    expect(await quoteReservation(api, dq.id)).toBeNull();
    expect(await quoteReservation(api, wq.id)).toBeNull();
  });

  it('S24-10, S38-08: an expired quote is 400', async () => {
    const dq = await brlToUsdc(api, token, '540', 'sep24');
    const wq = await usdcToBrl(api, token, '50', 'sep24');
    await expireQuote(api, dq.id);
    await expireQuote(api, wq.id);
    await expect400(await deposit({ quote_id: dq.id }), /expired/);
    await expect400(await withdraw({ quote_id: wq.id }), /expired/);
    expect(await quoteReservation(api, dq.id)).toBeNull();
  });

  it('S24-10, S38-07: a used quote is 400 "already used"; a SEP-6 quote cannot pay for a SEP-24 transfer', async () => {
    const dq = await brlToUsdc(api, token, '540', 'sep24');
    const first = await deposit({ quote_id: dq.id });
    expect(first.status).toBe(200);
    await expect400(await deposit({ quote_id: dq.id }), /already used/);
    await expect400(await withdraw({ quote_id: dq.id }), /already used/);
    expect(await rowsWithQuote(api, dq.id)).toBe(1);
    const sep6 = await brlToUsdc(api, token, '540', 'sep6');
    await expect400(await deposit({ quote_id: sep6.id }), /was issued for sep6, not sep24/);
    const sep6w = await usdcToBrl(api, token, '50', 'sep6');
    await expect400(await withdraw({ quote_id: sep6w.id }), /was issued for sep6, not sep24/);
    expect(await quoteReservation(api, sep6.id)).toBeNull();
  });

  it('S24-10, S24-15: an off-chain asset other than the mirrored USD needs a quote_id (the hosted pages quote nothing)', async () => {
    await expect400(
      await deposit({ source_asset: 'iso4217:BRL', amount: '100' }),
      /source_asset iso4217:BRL needs a quote_id/,
    );
    await expect400(await withdraw({ destination_asset: 'iso4217:BRL', amount: '10' }), /needs a quote_id/);
    await expect400(await deposit({ source_asset: 'iso4217:EUR' }), /iso4217:EUR/);
    // The mirrored fiat is a plain 1:1 transfer, quote or not.
    const plain = await deposit({ source_asset: 'iso4217:USD', amount: '100' });
    expect(plain.status).toBe(200);
  });

  it('S38-07: 8 concurrent SEP-24 deposits with one quote — one 200, seven 400, one row', async () => {
    const q = await brlToUsdc(api, token, '540', 'sep24');
    const answers = await Promise.all(Array.from({ length: 8 }, () => deposit({ quote_id: q.id })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
    expect(await rowsWithQuote(api, q.id)).toBe(1);
  });
});

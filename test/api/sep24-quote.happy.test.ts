import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, parseDecimal } from '../../core/quotes/decimal.js';
import { brlToUsdc, quoteReservation, usdcToBrl } from './sep6-exchange.helpers.js';
import { createSep24Api, jsonPost, type Sep24Api } from './sep24.helpers.js';
import { getJson, qs, USDC_ID } from './sep38.helpers.js';

const same = (a: unknown, b: string) => compare(parseDecimal(String(a)), parseDecimal(b)) === 0;

/**
 * SEP-24 with a firm quote (S24-10, S24-15, S24-27): the interactive answer as always, and the transaction
 * carrying the quote's id, amounts and fee from the start. SEP-24 has no -exchange kinds.
 */
describe('SEP-24 quote_id happy paths: the quote’s amounts and fee on the transaction', () => {
  let api: Sep24Api;
  let token: string;
  const alice = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's24qh' });
    token = await api.tokenFor(alice);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('S24-10, S24-27: a deposit with quote_id (and the matching amount and source_asset) answers 200; /transaction shows kind deposit, quote_id and fee_details with breakdown equal to the quote’s fee', async () => {
    const quote = await brlToUsdc(api, token, '540', 'sep24');
    const res = await api.request(
      '/sep24/transactions/deposit/interactive',
      jsonPost(token, { asset_code: 'USDC', quote_id: quote.id, source_asset: 'iso4217:BRL', amount: '540' }),
    );
    const body = (await res.json()) as { type: string; url: string; id: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.type).toBe('interactive_customer_info_needed');
    expect(typeof body.url).toBe('string');
    expect(await quoteReservation(api, quote.id)).toBe(body.id);

    const { status, body: got } = await getJson(api, `/sep24/transaction?${qs({ id: body.id })}`, token);
    expect(status).toBe(200);
    const tx = got.transaction;
    expect(tx).toMatchObject({
      id: body.id,
      kind: 'deposit',
      quote_id: quote.id,
      amount_in_asset: 'iso4217:BRL',
      amount_out_asset: USDC_ID(api),
      amount_fee_asset: quote.fee.asset,
    });
    expect(same(tx.amount_in, quote.sell_amount)).toBe(true);
    expect(same(tx.amount_out, quote.buy_amount)).toBe(true);
    expect(same(tx.amount_fee, quote.fee.total)).toBe(true);
    expect(quote.fee.details?.length).toBeGreaterThan(0);
    expect(tx.fee_details).toEqual({
      total: quote.fee.total,
      asset: quote.fee.asset,
      breakdown: quote.fee.details,
    });
    const row = await api.tdb.db
      .selectFrom('transactions')
      .select(['protocol', 'exchange'])
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ protocol: 'sep24', exchange: false });
  });

  it('S24-10: quote_id alone (no amount, no source_asset) is enough: the amounts are the quote’s', async () => {
    const quote = await brlToUsdc(api, token, '270', 'sep24');
    const res = await api.request(
      '/sep24/transactions/deposit/interactive',
      jsonPost(token, { asset_code: 'USDC', quote_id: quote.id }),
    );
    const body = (await res.json()) as { id: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const { body: got } = await getJson(api, `/sep24/transaction?${qs({ id: body.id })}`, token);
    expect(got.transaction.quote_id).toBe(quote.id);
    expect(same(got.transaction.amount_in, '270')).toBe(true);
  });

  it('S24-15, S24-27: a withdrawal with quote_id answers 200; /transaction shows kind withdrawal, BRL out and the quote’s fee', async () => {
    const quote = await usdcToBrl(api, token, '50', 'sep24');
    const res = await api.request(
      '/sep24/transactions/withdraw/interactive',
      jsonPost(token, {
        asset_code: 'USDC',
        quote_id: quote.id,
        destination_asset: 'iso4217:BRL',
        amount: '50',
      }),
    );
    const body = (await res.json()) as { id: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const { body: got } = await getJson(api, `/sep24/transaction?${qs({ id: body.id })}`, token);
    const tx = got.transaction;
    expect(tx).toMatchObject({
      kind: 'withdrawal',
      quote_id: quote.id,
      amount_in_asset: USDC_ID(api),
      amount_out_asset: 'iso4217:BRL',
    });
    expect(same(tx.amount_out, quote.buy_amount)).toBe(true);
    expect(tx.fee_details).toEqual({
      total: quote.fee.total,
      asset: quote.fee.asset,
      breakdown: quote.fee.details,
    });
    // SEP-24 lists it under its plain kind.
    const list = await getJson(
      api,
      `/sep24/transactions?${qs({ asset_code: 'USDC', kind: 'withdrawal' })}`,
      token,
    );
    expect((list.body.transactions as { id: string }[]).map((t) => t.id)).toContain(body.id);
  });
});

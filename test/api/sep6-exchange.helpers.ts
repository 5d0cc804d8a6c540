import { expect } from 'vitest';
import type { Sep24Api } from './sep24.helpers.js';
import { getJson, postQuote, qs, USDC_ID } from './sep38.helpers.js';

/**
 * Quotes in transfers over the whole app (#14 item 3): firm SEP-38 quotes made as a wallet makes them, and the
 * SEP-6 `-exchange` requests that use them.
 */

export interface FirmQuote {
  id: string;
  expires_at: string;
  sell_asset: string;
  sell_amount: string;
  buy_asset: string;
  buy_amount: string;
  fee: { total: string; asset: string; details?: { name: string; amount: string }[] };
}

/** POST /sep38/quote, expecting 201. */
export async function firmQuote(
  api: Sep24Api,
  token: string,
  body: Record<string, string>,
): Promise<FirmQuote> {
  const res = await postQuote(api, token, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as FirmQuote;
}

/** A quote selling `amount` BRL for the Stellar asset: what a deposit-exchange (or SEP-24 deposit) uses. */
export const brlToUsdc = (api: Sep24Api, token: string, amount = '540', context = 'sep6') =>
  firmQuote(api, token, { sell_asset: 'iso4217:BRL', buy_asset: USDC_ID(api), sell_amount: amount, context });

/** A quote selling `amount` of the Stellar asset for BRL: what a withdraw-exchange (or SEP-24 withdrawal) uses. */
export const usdcToBrl = (api: Sep24Api, token: string, amount = '50', context = 'sep6') =>
  firmQuote(api, token, { sell_asset: USDC_ID(api), buy_asset: 'iso4217:BRL', sell_amount: amount, context });

/** Moves the quote's expires_at into the past, as if its time had run out. */
export async function expireQuote(api: Sep24Api, id: string): Promise<void> {
  await api.tdb.db
    .updateTable('quotes')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('id', '=', id)
    .execute();
}

export const depositExchange = (api: Sep24Api, token: string | undefined, q: Record<string, string>) =>
  getJson(api, `/sep6/deposit-exchange?${qs(q)}`, token);

export const withdrawExchange = (api: Sep24Api, token: string | undefined, q: Record<string, string>) =>
  getJson(api, `/sep6/withdraw-exchange?${qs(q)}`, token);

/** The deposit-exchange query for a firm BRL quote (the quote's sell_amount as the amount). */
export const depositQueryFor = (quote: FirmQuote, extra: Record<string, string> = {}) => ({
  destination_asset: 'USDC',
  source_asset: 'iso4217:BRL',
  amount: quote.sell_amount,
  quote_id: quote.id,
  funding_method: 'bank_transfer',
  ...extra,
});

/** The withdraw-exchange query for a firm USDC → BRL quote. */
export const withdrawQueryFor = (quote: FirmQuote, extra: Record<string, string> = {}) => ({
  source_asset: 'USDC',
  destination_asset: 'iso4217:BRL',
  amount: quote.sell_amount,
  quote_id: quote.id,
  funding_method: 'bank_transfer',
  ...extra,
});

/** The quote's row: which transaction it is reserved to (null: still free). */
export async function quoteReservation(api: Sep24Api, id: string): Promise<string | null> {
  const row = await api.tdb.db
    .selectFrom('quotes')
    .select('transaction_id')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.transaction_id;
}

/** How many transactions rows use the quote. */
export async function rowsWithQuote(api: Sep24Api, id: string): Promise<number> {
  const rows = await api.tdb.db.selectFrom('transactions').select('id').where('quote_id', '=', id).execute();
  return rows.length;
}

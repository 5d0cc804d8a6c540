import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brlToUsdc,
  depositExchange,
  depositQueryFor,
  expireQuote,
  firmQuote,
  quoteReservation,
  rowsWithQuote,
  usdcToBrl,
  withdrawExchange,
  withdrawQueryFor,
} from './sep6-exchange.helpers.js';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, qs, USDC_ID } from './sep38.helpers.js';

/**
 * SEP-6 GET /deposit-exchange and /withdraw-exchange (S6-08) refusing bad input: every case a 400 `{"error"}`
 * naming what is wrong, never a 5xx, and a refused request neither writes a transaction nor takes the quote.
 */
describe('SEP-6 exchange errors: 400 {"error"} for bad assets, amounts, funding methods and quotes', () => {
  let api: Sep24Api;
  let token: string;
  const alice = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's6xe' });
    token = await api.tokenFor(alice);
  });
  afterAll(async () => {
    await api?.close();
  });

  const expect400 = async (res: Awaited<ReturnType<typeof getJson>>, pattern: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.type).toContain('application/json');
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error).toMatch(pattern);
  };
  const deposit = (q: Record<string, string>) => depositExchange(api, token, q);
  const withdraw = (q: Record<string, string>) => withdrawExchange(api, token, q);
  const transactionCount = async () =>
    (await api.tdb.db.selectFrom('transactions').select('id').execute()).length;

  const depositBase = {
    destination_asset: 'USDC',
    source_asset: 'iso4217:BRL',
    amount: '100',
    funding_method: 'bank_transfer',
  };
  const withdrawBase = {
    source_asset: 'USDC',
    destination_asset: 'iso4217:BRL',
    amount: '20',
    funding_method: 'bank_transfer',
  };
  const without = (q: Record<string, string>, key: string) =>
    Object.fromEntries(Object.entries(q).filter(([k]) => k !== key));

  it('S6-08, S6-17: a missing or unknown Stellar asset (destination_asset of a deposit, source_asset of a withdrawal) is 400 first', async () => {
    const before = await transactionCount();
    await expect400(
      await deposit(without(depositBase, 'destination_asset')),
      /destination_asset is required/,
    );
    await expect400(
      await deposit({ ...depositBase, destination_asset: 'BADCODE' }),
      /BADCODE is not supported/,
    );
    // The Stellar asset is named by its code (S6-08), not in the SEP-38 form.
    await expect400(await deposit({ ...depositBase, destination_asset: 'stellar:USDC' }), /not supported/);
    await expect400(await deposit({ ...depositBase, destination_asset: USDC_ID(api) }), /destination_asset/);
    await expect400(await withdraw(without(withdrawBase, 'source_asset')), /source_asset is required/);
    await expect400(await withdraw({ ...withdrawBase, source_asset: 'BADCODE' }), /BADCODE is not supported/);
    // asset_code is not the -exchange parameter: alone it does not name the asset.
    await expect400(
      await deposit({ ...without(depositBase, 'destination_asset'), asset_code: 'USDC' }),
      /destination_asset is required/,
    );
    expect(await transactionCount()).toBe(before);
  });

  it('S6-08: a missing, unquoted or on-chain off-chain side (source_asset of a deposit, destination_asset of a withdrawal) is 400', async () => {
    const before = await transactionCount();
    await expect400(await deposit(without(depositBase, 'source_asset')), /source_asset is required/);
    await expect400(await deposit({ ...depositBase, source_asset: 'iso4217:EUR' }), /iso4217:EUR/);
    // A SEP-38 stellar: id is named for what it is (an on-chain asset), not refused for its length.
    await expect400(
      await deposit({ ...depositBase, source_asset: USDC_ID(api) }),
      /source_asset must be an off-chain asset/,
    );
    await expect400(await deposit({ ...depositBase, source_asset: 'stellar:USDC' }), /source_asset/);
    await expect400(await deposit({ ...depositBase, source_asset: 'BRL' }), /source_asset/);
    await expect400(
      await withdraw(without(withdrawBase, 'destination_asset')),
      /destination_asset is required/,
    );
    await expect400(await withdraw({ ...withdrawBase, destination_asset: 'iso4217:EUR' }), /iso4217:EUR/);
    await expect400(
      await withdraw({ ...withdrawBase, destination_asset: 'stellar:USDC' }),
      /destination_asset/,
    );
    // S6-08 lists source_asset as required with a quote_id too.
    const quote = await brlToUsdc(api, token, '100');
    await expect400(
      await deposit({ ...without(depositBase, 'source_asset'), quote_id: quote.id }),
      /source_asset is required/,
    );
    expect(await quoteReservation(api, quote.id)).toBeNull();
    expect(await transactionCount()).toBe(before);
  });

  it('S6-08: amount is required by the -exchange kinds, and must be a positive decimal', async () => {
    const before = await transactionCount();
    await expect400(await deposit(without(depositBase, 'amount')), /amount is required/);
    await expect400(await withdraw(without(withdrawBase, 'amount')), /amount is required/);
    for (const amount of ['-5', '0', 'lots', '1e3']) {
      await expect400(await deposit({ ...depositBase, amount }), /amount/);
      await expect400(await withdraw({ ...withdrawBase, amount }), /amount/);
    }
    expect(await transactionCount()).toBe(before);
  });

  it('S6-06, S6-08: a withdraw-exchange without a quote sells the Stellar asset: its limits and 7 decimals apply up front, as on /withdraw', async () => {
    const before = await transactionCount();
    await expect400(await withdraw({ ...withdrawBase, amount: '1000000' }), /above the maximum of 10000/);
    await expect400(await withdraw({ ...withdrawBase, amount: '0.01' }), /below the minimum of 1/);
    await expect400(await withdraw({ ...withdrawBase, amount: '1.12345678' }), /7 decimal/);
    expect(await transactionCount()).toBe(before);
  });

  it('S6-08: a deposit-exchange amount in the off-chain asset has at most its decimals (BRL: 2); trailing zeros are fine', async () => {
    const before = await transactionCount();
    await expect400(
      await deposit({ ...depositBase, amount: '1.005' }),
      /amount 1.005 has more decimal places than iso4217:BRL has \(2\)/,
    );
    await expect400(await deposit({ ...depositBase, amount: '0.0000001' }), /decimal places/);
    expect(await transactionCount()).toBe(before);
    const ok = await deposit({ ...depositBase, amount: '100.500' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('S6-04, S6-08: funding_method is required and must be one /info lists', async () => {
    const before = await transactionCount();
    await expect400(await deposit(without(depositBase, 'funding_method')), /funding_method is required/);
    await expect400(await deposit({ ...depositBase, funding_method: 'cash' }), /cash is not offered/);
    await expect400(await withdraw(without(withdrawBase, 'funding_method')), /funding_method is required/);
    await expect400(await withdraw({ ...withdrawBase, funding_method: 'wire' }), /wire is not offered/);
    expect(await transactionCount()).toBe(before);
  });

  it('S6-08, S38-07: an unknown or malformed quote_id is 400 naming it', async () => {
    await expect400(
      await deposit({ ...depositBase, quote_id: '00000000-0000-4000-8000-000000000000' }),
      /quote_id 00000000-0000-4000-8000-000000000000 is not a quote of this account/,
    );
    await expect400(await deposit({ ...depositBase, quote_id: "x'or'1'='1" }), /quote_id is not a quote id/);
    await expect400(
      await withdraw({ ...withdrawBase, quote_id: '00000000-0000-4000-8000-000000000000' }),
      /not a quote of this account/,
    );
  });

  it('S6-08, S38-08: an expired quote is 400 and stays unused', async () => {
    const dq = await brlToUsdc(api, token);
    const wq = await usdcToBrl(api, token);
    await expireQuote(api, dq.id);
    await expireQuote(api, wq.id);
    await expect400(await deposit(depositQueryFor(dq)), new RegExp(`quote_id ${dq.id} expired`));
    await expect400(await withdraw(withdrawQueryFor(wq)), new RegExp(`quote_id ${wq.id} expired`));
    expect(await quoteReservation(api, dq.id)).toBeNull();
    expect(await quoteReservation(api, wq.id)).toBeNull();
    expect(await rowsWithQuote(api, dq.id)).toBe(0);
  });

  it('S6-08: an amount that conflicts with the quote’s sell_amount is 400 (an equal decimal in another form is not a conflict)', async () => {
    const dq = await brlToUsdc(api, token, '540');
    await expect400(
      await deposit(depositQueryFor(dq, { amount: '541' })),
      /amount 541 conflicts with the quote's sell_amount 540/,
    );
    await expect400(await deposit(depositQueryFor(dq, { amount: '540.01' })), /conflicts/);
    // The Stellar amount the quote buys is not what the user sends.
    await expect400(await deposit(depositQueryFor(dq, { amount: dq.buy_amount })), /conflicts/);
    await expect400(await deposit(depositQueryFor(dq, { amount: 'abc' })), /conflicts/);
    const wq = await usdcToBrl(api, token, '50');
    await expect400(await withdraw(withdrawQueryFor(wq, { amount: '49.9999999' })), /conflicts/);
    expect(await quoteReservation(api, dq.id)).toBeNull();
    expect(await quoteReservation(api, wq.id)).toBeNull();
    // 540.00 is 540: accepted.
    const ok = await deposit(depositQueryFor(dq, { amount: '540.00' }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(await quoteReservation(api, dq.id)).toBe(ok.body.id);
  });

  it('S6-08: an off-chain asset that conflicts with the quote’s is 400', async () => {
    const dq = await brlToUsdc(api, token);
    await expect400(
      await deposit(depositQueryFor(dq, { source_asset: 'iso4217:USD' })),
      /source_asset iso4217:USD conflicts with the quote's iso4217:BRL/,
    );
    const usd = await firmQuote(api, token, {
      sell_asset: USDC_ID(api),
      buy_asset: 'iso4217:USD',
      sell_amount: '50',
      context: 'sep6',
    });
    await expect400(
      await withdraw(withdrawQueryFor(usd)),
      /destination_asset iso4217:BRL conflicts with the quote's iso4217:USD/,
    );
    expect(await quoteReservation(api, dq.id)).toBeNull();
    expect(await quoteReservation(api, usd.id)).toBeNull();
  });

  it('S6-08: a quote for the other direction is 400 (selling USDC on a deposit, buying it on a withdrawal)', async () => {
    const sellUsdc = await usdcToBrl(api, token, '50');
    await expect400(
      await deposit(depositQueryFor(sellUsdc, { source_asset: 'iso4217:BRL', amount: '50' })),
      /the quote's buy_asset is iso4217:BRL/,
    );
    const buyUsdc = await brlToUsdc(api, token, '540');
    await expect400(
      await withdraw(withdrawQueryFor(buyUsdc, { amount: '540' })),
      /the quote's sell_asset is iso4217:BRL/,
    );
    expect(await quoteReservation(api, sellUsdc.id)).toBeNull();
    expect(await quoteReservation(api, buyUsdc.id)).toBeNull();
  });

  it('S6-08, S38-07: a quote issued for SEP-24 cannot pay for a SEP-6 transfer', async () => {
    const dq = await brlToUsdc(api, token, '540', 'sep24');
    await expect400(await deposit(depositQueryFor(dq)), /was issued for sep24, not sep6/);
    const wq = await usdcToBrl(api, token, '50', 'sep24');
    await expect400(await withdraw(withdrawQueryFor(wq)), /was issued for sep24, not sep6/);
    expect(await quoteReservation(api, dq.id)).toBeNull();
    expect(await quoteReservation(api, wq.id)).toBeNull();
  });

  it('S38-07: a quote pays for one transfer: the second use is 400 "already used", also across deposit and withdrawal', async () => {
    const dq = await brlToUsdc(api, token);
    const first = await deposit(depositQueryFor(dq));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    await expect400(await deposit(depositQueryFor(dq)), new RegExp(`quote_id ${dq.id} is already used`));
    const wq = await usdcToBrl(api, token);
    expect((await withdraw(withdrawQueryFor(wq))).status).toBe(200);
    await expect400(await withdraw(withdrawQueryFor(wq)), /already used/);
    expect(await rowsWithQuote(api, dq.id)).toBe(1);
    expect(await rowsWithQuote(api, wq.id)).toBe(1);
    expect(await quoteReservation(api, dq.id)).toBe(first.body.id);
  });

  it('S6-08, S24-09: a firm quote that buys more than the deposit maximum (or sells less than the withdrawal minimum) is 400', async () => {
    // 60 000 BRL at 5.4 buys ~11 000 USDC, above the default maximum of 10 000.
    const big = await brlToUsdc(api, token, '60000');
    await expect400(await deposit(depositQueryFor(big)), /above the maximum/);
    const small = await usdcToBrl(api, token, '0.5');
    await expect400(await withdraw(withdrawQueryFor(small)), /below the minimum/);
    expect(await quoteReservation(api, big.id)).toBeNull();
    expect(await quoteReservation(api, small.id)).toBeNull();
  });

  it('S6-10: /transactions refuses an unknown kind, also the /info key withdraw-exchange (the kind is withdrawal-exchange)', async () => {
    for (const kind of ['swap', 'withdraw-exchange', 'deposit-exchange,nope']) {
      const res = await getJson(api, `/sep6/transactions?${qs({ asset_code: 'USDC', kind })}`, token);
      await expect400(
        res,
        /kind .* must be one of deposit, deposit-exchange, withdrawal, withdrawal-exchange/,
      );
    }
    // Repeated, the unknown one is named as well (it was once "expected string, received array").
    const repeated = await getJson(
      api,
      '/sep6/transactions?asset_code=USDC&kind=deposit-exchange&kind=exchange',
      token,
    );
    await expect400(repeated, /kind exchange must be one of/);
  });
});

describe('SEP-6 exchange with SEP-38 off: not offered, and the -exchange endpoints answer 400 (S6-03, S6-08)', () => {
  let api: Sep24Api;
  let token: string;

  beforeAll(async () => {
    api = await createSep24Api({ SEP38_ENABLED: 'false' }, { prefix: 's6xo' });
    token = await api.tokenFor(Keypair.random().publicKey());
  });
  afterAll(async () => {
    await api?.close();
  });

  it('S6-03: /info lists deposit-exchange and withdraw-exchange as {enabled:false}; deposit and withdraw stay on', async () => {
    const { status, body } = await getJson(api, '/sep6/info');
    expect(status).toBe(200);
    expect(body['deposit-exchange']).toEqual({ USDC: { enabled: false } });
    expect(body['withdraw-exchange']).toEqual({ USDC: { enabled: false } });
    expect(body.deposit.USDC.enabled).toBe(true);
    expect(body.withdraw.USDC.enabled).toBe(true);
  });

  it('S6-08: deposit-exchange and withdraw-exchange are 400 {"error"}, with or without a quote_id; nothing is written', async () => {
    const deposit = await depositExchange(api, token, {
      destination_asset: 'USDC',
      source_asset: 'iso4217:BRL',
      amount: '100',
      funding_method: 'bank_transfer',
    });
    expect(deposit.status).toBe(400);
    expect(deposit.body.error).toMatch(/deposit-exchange is not offered/);
    const withdraw = await withdrawExchange(api, token, {
      source_asset: 'USDC',
      destination_asset: 'iso4217:BRL',
      amount: '20',
      funding_method: 'bank_transfer',
      quote_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(withdraw.status).toBe(400);
    expect(withdraw.body.error).toMatch(/withdraw-exchange is not offered/);
    // SEP-38 itself is off too: no quote can be had.
    expect((await getJson(api, '/sep38/info')).status).toBe(404);
    expect(await api.tdb.db.selectFrom('transactions').select('id').execute()).toEqual([]);
  });
});

import type { IncomingHttpHeaders, Server } from 'node:http';
import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, parseDecimal } from '../../core/quotes/decimal.js';
import { waitFor } from '../helpers/bank.js';
import { insertVerifiedCustomer } from '../helpers/customers.js';
import { listenLocal } from '../helpers/http.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import {
  brlToUsdc,
  depositExchange,
  depositQueryFor,
  quoteReservation,
  usdcToBrl,
  withdrawExchange,
  withdrawQueryFor,
} from './sep6-exchange.helpers.js';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, qs, USDC_ID } from './sep38.helpers.js';

/** The SEP-6 transaction as a callback carries it (the fields these tests read). */
interface Sep6Wire {
  id: string;
  kind: string;
  status: string;
  fee_details: { breakdown?: unknown } | null;
}

const same = (a: unknown, b: string) => compare(parseDecimal(String(a)), parseDecimal(b)) === 0;

/**
 * SEP-6 GET /deposit-exchange and /withdraw-exchange (S6-08) as a wallet uses them: /info offers them, a firm
 * SEP-38 quote fixes the transaction's amounts and fee from the start (S6-09), the -exchange kinds filter
 * /transactions (S6-10). No worker runs on the first queue: these tests see exactly what the request did.
 */
describe('SEP-6 exchange happy paths: /info, deposit-exchange, withdraw-exchange, /transaction(s)', () => {
  let api: Sep24Api;
  let token: string;
  const alice = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's6xh' });
    token = await api.tokenFor(alice);
  });
  afterAll(async () => {
    await api?.close();
  });

  const transaction = async (id: string) => {
    const res = await getJson(api, `/sep6/transaction?${qs({ id })}`, token);
    expect(res.status).toBe(200);
    return res.body.transaction;
  };

  it('S6-03, S6-08: /info without a JWT offers deposit-exchange and withdraw-exchange with funding_methods and numeric limits', async () => {
    const { status, body } = await getJson(api, '/sep6/info');
    expect(status).toBe(200);
    for (const key of ['deposit-exchange', 'withdraw-exchange']) {
      const entry = body[key].USDC;
      expect(entry, key).toMatchObject({
        enabled: true,
        authentication_required: true,
        funding_methods: ['bank_transfer'],
      });
      expect(typeof entry.min_amount).toBe('number');
      expect(typeof entry.max_amount).toBe('number');
    }
    expect(body['deposit-exchange'].USDC.max_amount).toBe(body.deposit.USDC.max_amount);
  });

  it('S6-05, S6-08, S6-09, S38-07: deposit-exchange with a firm quote answers how/id/instructions/eta/numbers; the transaction carries the quote’s amounts and fee', async () => {
    const quote = await brlToUsdc(api, token, '540');
    const { status, body } = await depositExchange(api, token, depositQueryFor(quote, { account: alice }));
    expect(status, JSON.stringify(body)).toBe(200);
    expect(typeof body.id).toBe('string');
    expect(typeof body.how).toBe('string');
    for (const k of ['eta', 'min_amount', 'max_amount', 'fee_fixed', 'fee_percent'])
      expect(typeof body[k], k).toBe('number');
    // The fee is the quote's, not the 1:1 schedule.
    expect(body.fee_fixed).toBe(0);
    expect(body.fee_percent).toBe(0);
    const ref = body.instructions['organization.external_transfer_memo'];
    expect(ref.value).toMatch(/^DEP[0-9A-F]{10}$/i);
    expect(body.how).toContain(ref.value);
    expect(body.instructions['organization.bank_account_number']).toMatchObject({
      value: api.config.bank.anchorAccount,
      description: expect.stringContaining('BRL'),
    });
    expect(body.extra_info.message).toContain(quote.sell_amount);
    expect(body.extra_info.message).toContain(quote.buy_amount);
    expect(await quoteReservation(api, quote.id)).toBe(body.id);

    const tx = await transaction(body.id);
    expect(tx).toMatchObject({
      id: body.id,
      kind: 'deposit-exchange',
      quote_id: quote.id,
      amount_in_asset: 'iso4217:BRL',
      amount_out_asset: USDC_ID(api),
      amount_fee_asset: quote.fee.asset,
      to: alice,
    });
    expect(same(tx.amount_in, quote.sell_amount), tx.amount_in).toBe(true);
    expect(same(tx.amount_out, quote.buy_amount), tx.amount_out).toBe(true);
    expect(same(tx.amount_fee, quote.fee.total), tx.amount_fee).toBe(true);
    // SEP-6 names the fee's parts `details`, as the quote does (SEP-24 says `breakdown`).
    expect(quote.fee.details?.length).toBeGreaterThan(0);
    expect(tx.fee_details).toEqual(quote.fee);

    const row = await api.tdb.db
      .selectFrom('transactions')
      .select(['kind', 'protocol', 'exchange', 'offchain_asset', 'bank_reference'])
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      kind: 'deposit',
      protocol: 'sep6',
      exchange: true,
      offchain_asset: 'iso4217:BRL',
      bank_reference: ref.value,
    });
    expect((await api.temporal.workflow.getHandle(`deposit-${body.id}`).describe()).type).toBe(
      'depositWorkflow',
    );
  });

  it('S6-08: deposit-exchange without a quote is priced when the funds arrive: no amounts fixed yet, kind deposit-exchange, BRL in', async () => {
    const { status, body } = await depositExchange(api, token, {
      destination_asset: 'USDC',
      source_asset: 'iso4217:BRL',
      amount: '270',
      funding_method: 'bank_transfer',
    });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.extra_info.message).toMatch(/price of the moment it arrives/);
    const tx = await transaction(body.id);
    expect(tx).toMatchObject({ kind: 'deposit-exchange', amount_in_asset: 'iso4217:BRL', amount_out: null });
    expect(tx.quote_id).toBeUndefined();
    expect(tx.fee_details).toBeNull();
  });

  it('S6-06, S6-08, S6-09, S6-11: withdraw-exchange with a firm quote answers id/eta/numbers; the transaction is withdrawal-exchange with the quote’s amounts and waits for dest', async () => {
    const quote = await usdcToBrl(api, token, '50');
    const { status, body } = await withdrawExchange(api, token, withdrawQueryFor(quote));
    expect(status, JSON.stringify(body)).toBe(200);
    const allowed = [
      'account_id',
      'memo_type',
      'memo',
      'id',
      'eta',
      'min_amount',
      'max_amount',
      'fee_fixed',
      'fee_percent',
      'extra_info',
    ];
    for (const k of Object.keys(body)) expect(allowed).toContain(k);
    for (const k of ['eta', 'min_amount', 'max_amount', 'fee_fixed', 'fee_percent'])
      expect(typeof body[k], k).toBe('number');
    expect(await quoteReservation(api, quote.id)).toBe(body.id);

    const tx = await transaction(body.id);
    expect(tx).toMatchObject({
      kind: 'withdrawal-exchange',
      quote_id: quote.id,
      status: 'pending_transaction_info_update',
      amount_in_asset: USDC_ID(api),
      amount_out_asset: 'iso4217:BRL',
      amount_fee_asset: quote.fee.asset,
      required_info_updates: { dest: { description: expect.any(String) } },
    });
    expect(same(tx.amount_in, quote.sell_amount)).toBe(true);
    expect(same(tx.amount_out, quote.buy_amount)).toBe(true);
    expect(same(tx.amount_fee, quote.fee.total)).toBe(true);
    expect(tx.fee_details).toEqual(quote.fee);
    expect((await api.temporal.workflow.getHandle(`withdraw-${body.id}`).describe()).type).toBe(
      'withdrawalWorkflow',
    );
  });

  it('S6-08: withdraw-exchange with dest starts without waiting for info; the destination is stored encrypted', async () => {
    const quote = await usdcToBrl(api, token, '20');
    const { status, body } = await withdrawExchange(
      api,
      token,
      withdrawQueryFor(quote, { dest: 'BR1500000000000010932840814P2', dest_extra: 'BOFABRSP' }),
    );
    expect(status, JSON.stringify(body)).toBe(200);
    const tx = await transaction(body.id);
    expect(tx.kind).toBe('withdrawal-exchange');
    expect(tx.status).not.toBe('pending_transaction_info_update');
    const details = await api.tdb.db
      .selectFrom('withdrawal_details')
      .selectAll()
      .where('transaction_id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(details.destination_masked).toMatch(/814P2$|14P2$/);
    expect(details.destination_ciphertext).not.toContain('10932840814');
  });

  it('S6-10: /transactions filters by a list of kinds, comma-separated or repeated, the -exchange kinds apart from the plain ones', async () => {
    // One of each kind for a fresh user, so the lists are exact.
    const bob = Keypair.random().publicKey();
    const bobToken = await api.tokenFor(bob);
    const ids: Record<string, string> = {};
    const start = async (kind: string, path: string, q: Record<string, string>) => {
      const res = await getJson(api, `${path}?${qs(q)}`, bobToken);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      ids[kind] = res.body.id;
    };
    await start('deposit', '/sep6/deposit', {
      asset_code: 'USDC',
      funding_method: 'bank_transfer',
      amount: '5',
    });
    await start('withdrawal', '/sep6/withdraw', {
      asset_code: 'USDC',
      funding_method: 'bank_transfer',
      amount: '5',
    });
    await start(
      'deposit-exchange',
      '/sep6/deposit-exchange',
      depositQueryFor(await brlToUsdc(api, bobToken, '100')),
    );
    await start(
      'withdrawal-exchange',
      '/sep6/withdraw-exchange',
      withdrawQueryFor(await usdcToBrl(api, bobToken, '10')),
    );
    const listed = async (query: string) => {
      const res = await getJson(api, `/sep6/transactions?asset_code=USDC&${query}`, bobToken);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const txs = res.body.transactions as { id: string; kind: string }[];
      for (const t of txs) expect(ids[t.kind], t.kind).toBe(t.id);
      return txs.map((t) => t.kind).sort();
    };
    expect(await listed('')).toEqual(['deposit', 'deposit-exchange', 'withdrawal', 'withdrawal-exchange']);
    expect(await listed('kind=deposit-exchange')).toEqual(['deposit-exchange']);
    expect(await listed('kind=deposit')).toEqual(['deposit']);
    expect(await listed(`kind=${encodeURIComponent('deposit-exchange,withdrawal')}`)).toEqual([
      'deposit-exchange',
      'withdrawal',
    ]);
    expect(await listed('kind=deposit-exchange&kind=withdrawal-exchange')).toEqual([
      'deposit-exchange',
      'withdrawal-exchange',
    ]);
    expect(
      await listed(`kind=${encodeURIComponent('deposit,deposit-exchange,withdrawal,withdrawal-exchange')}`),
    ).toEqual(['deposit', 'deposit-exchange', 'withdrawal', 'withdrawal-exchange']);
    expect(await listed('kind=withdrawal&kind=deposit')).toEqual(['deposit', 'withdrawal']);
  });

  it('S24-27: the same quoted deposit read through SEP-24 shows kind deposit and the fee parts as breakdown', async () => {
    const quote = await brlToUsdc(api, token, '108');
    const { body } = await depositExchange(api, token, depositQueryFor(quote));
    const res = await getJson(api, `/sep24/transaction?${qs({ id: body.id })}`, token);
    expect(res.status).toBe(200);
    expect(res.body.transaction).toMatchObject({ kind: 'deposit', quote_id: quote.id });
    expect(res.body.transaction.fee_details).toEqual({
      total: quote.fee.total,
      asset: quote.fee.asset,
      breakdown: quote.fee.details,
    });
  });
});

/**
 * S6-12: a SEP-6 transfer's on_change_callback gets the SEP-6 /transaction body (`{"transaction": ...}` with
 * SEP-6 statuses and kinds), signed as S12-24. A real worker runs this API's queue.
 */
describe('SEP-6 on_change_callback (S6-12, S12-24)', () => {
  let api: Sep24Api;
  let worker: TestTemporal;
  let wallet: { url: string; server: Server };
  const received: { headers: IncomingHttpHeaders; body: string; path: string }[] = [];

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's6xcb' });
    worker = await startTestWorker(
      { config: api.config, db: api.tdb.db },
      { taskQueue: api.config.temporal.taskQueue },
    );
    wallet = await listenLocal((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body, path: req.url ?? '' });
        res.writeHead(200).end();
      });
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await new Promise((r) => wallet?.server.close(r));
  });

  const callbacksFor = (path: string) =>
    received
      .filter((r) => r.path === path)
      .map((r) => ({ ...r, json: JSON.parse(r.body) as { transaction: Sep6Wire } }));

  const verifySignature = (r: { headers: IncomingHttpHeaders; body: string }) => {
    const m = /^t=(\d+), s=(.+)$/.exec(String(r.headers.signature));
    expect(m, String(r.headers.signature)).not.toBeNull();
    const host = new URL(wallet.url).host;
    const signing = Keypair.fromPublicKey(api.config.stellar.signingKey);
    expect(signing.verify(Buffer.from(`${m![1]}.${host}.${r.body}`), Buffer.from(m![2]!, 'base64'))).toBe(
      true,
    );
    expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(120);
  };

  it('S6-07, S6-12: a deposit for a customer without KYC posts {"transaction"} with the SEP-6 status pending_customer_info_update', async () => {
    const user = Keypair.random().publicKey();
    const token = await api.tokenFor(user);
    const { status, body } = await getJson(
      api,
      `/sep6/deposit?${qs({ asset_code: 'USDC', funding_method: 'bank_transfer', amount: '5', on_change_callback: `${wallet.url}/kyc` })}`,
      token,
    );
    expect(status, JSON.stringify(body)).toBe(200);
    const cb = await waitFor(
      () => callbacksFor('/kyc').find((r) => r.json.transaction.status === 'pending_customer_info_update'),
      30_000,
      'the pending_customer_info_update callback',
    );
    expect(Object.keys(cb.json)).toEqual(['transaction']);
    expect(cb.json.transaction).toMatchObject({ id: body.id, kind: 'deposit' });
    // The SEP-24 form of the same moment would say pending_anchor: no callback carries it.
    for (const r of callbacksFor('/kyc')) expect(r.json.transaction.status).not.toBe('pending_anchor');
    verifySignature(cb);
    // It is the body GET /sep6/transaction answers at that status.
    const now = await getJson(api, `/sep6/transaction?${qs({ id: body.id })}`, token);
    expect(now.body.transaction.status).toBe('pending_customer_info_update');
    expect(cb.json.transaction.kind).toBe(now.body.transaction.kind);
  });

  it('S6-09, S6-12: a quoted deposit-exchange for a verified customer posts kind deposit-exchange, the quote and the instructions', async () => {
    const user = Keypair.random().publicKey();
    await insertVerifiedCustomer(api.tdb.db, user);
    const token = await api.tokenFor(user);
    const quote = await brlToUsdc(api, token, '540');
    const { status, body } = await depositExchange(
      api,
      token,
      depositQueryFor(quote, { on_change_callback: `${wallet.url}/exchange` }),
    );
    expect(status, JSON.stringify(body)).toBe(200);
    const cb = await waitFor(
      () =>
        callbacksFor('/exchange').find((r) => r.json.transaction.status === 'pending_user_transfer_start'),
      30_000,
      'the pending_user_transfer_start callback',
    );
    expect(Object.keys(cb.json)).toEqual(['transaction']);
    expect(cb.json.transaction).toMatchObject({
      id: body.id,
      kind: 'deposit-exchange',
      quote_id: quote.id,
      amount_in_asset: 'iso4217:BRL',
      fee_details: quote.fee,
      instructions: {
        'organization.external_transfer_memo': {
          value: body.instructions['organization.external_transfer_memo'].value,
        },
      },
    });
    expect(cb.json.transaction.fee_details?.breakdown).toBeUndefined();
    verifySignature(cb);
    for (const r of callbacksFor('/exchange')) expect(r.json.transaction.kind).toBe('deposit-exchange');
  });
});

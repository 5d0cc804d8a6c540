import { Account, Keypair, MuxedAccount } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../api/sep10/jwt.js';
import { testConfig } from '../helpers/config.js';
import {
  brlToUsdc,
  depositExchange,
  depositQueryFor,
  quoteReservation,
  rowsWithQuote,
  usdcToBrl,
  withdrawExchange,
  withdrawQueryFor,
} from './sep6-exchange.helpers.js';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, qs } from './sep38.helpers.js';

/**
 * Who may start an exchange and with which quote (S6-02, S6-08, S38-07, S38-08): the JWT on every -exchange
 * endpoint, a quote usable only by the account that owns it, and one quote for one transfer even under a race.
 */
describe('SEP-6 exchange security: JWT required, quotes owned and reserved once', () => {
  let api: Sep24Api;
  let aliceToken: string;
  let bobToken: string;
  const alice = Keypair.random().publicKey();
  const bob = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's6xs' });
    aliceToken = await api.tokenFor(alice);
    bobToken = await api.tokenFor(bob);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('S6-02: no, a garbage or a foreign JWT gives 403 {"type":"authentication_required"} on both -exchange endpoints; the quote stays free', async () => {
    const foreign = await issueToken(testConfig({ JWT_SECRET: 'x'.repeat(40) }), { sub: alice });
    const dq = await brlToUsdc(api, aliceToken);
    const wq = await usdcToBrl(api, aliceToken);
    for (const token of [undefined, 'garbage', foreign]) {
      for (const res of [
        await depositExchange(api, token, depositQueryFor(dq)),
        await withdrawExchange(api, token, withdrawQueryFor(wq)),
        // Even a request that is invalid otherwise: authentication is checked first.
        await depositExchange(api, token, { destination_asset: 'BADCODE' }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ type: 'authentication_required' });
      }
    }
    expect(await quoteReservation(api, dq.id)).toBeNull();
    expect(await quoteReservation(api, wq.id)).toBeNull();
    expect(await api.tdb.db.selectFrom('transactions').select('id').execute()).toEqual([]);
  });

  it('S38-07, S38-08: another user’s quote is 400 (as an unknown one) and stays the owner’s: still readable, still unreserved, and it still pays for the owner’s transfer', async () => {
    const dq = await brlToUsdc(api, aliceToken);
    const wq = await usdcToBrl(api, aliceToken);
    const muxedAlice = new MuxedAccount(new Account(alice, '0'), '7').accountId();
    // Bob, and Alice's own account behind a muxed id or a memo, are other users (data is keyed by the full sub).
    for (const token of [bobToken, await api.tokenFor(muxedAlice), await api.tokenFor(`${alice}:7`)]) {
      const d = await depositExchange(api, token, depositQueryFor(dq));
      expect(d.status).toBe(400);
      expect(d.body).toEqual({ error: `quote_id ${dq.id} is not a quote of this account` });
      const w = await withdrawExchange(api, token, withdrawQueryFor(wq));
      expect(w.status).toBe(400);
      expect(w.body).toEqual({ error: `quote_id ${wq.id} is not a quote of this account` });
      // The answer is the same as for an id that does not exist: nothing tells Bob the quote is there.
      const unknown = await depositExchange(
        api,
        token,
        depositQueryFor({ ...dq, id: '00000000-0000-4000-8000-000000000000' }),
      );
      expect(unknown.body.error).toBe(
        'quote_id 00000000-0000-4000-8000-000000000000 is not a quote of this account',
      );
    }
    expect(await quoteReservation(api, dq.id)).toBeNull();
    expect(await quoteReservation(api, wq.id)).toBeNull();
    expect(await rowsWithQuote(api, dq.id)).toBe(0);

    const read = await getJson(api, `/sep38/quote/${dq.id}`, aliceToken);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: dq.id, sell_amount: dq.sell_amount, buy_amount: dq.buy_amount });
    expect((await getJson(api, `/sep38/quote/${dq.id}`, bobToken)).status).toBe(404);

    const mine = await depositExchange(api, aliceToken, depositQueryFor(dq));
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    const mineW = await withdrawExchange(api, aliceToken, withdrawQueryFor(wq));
    expect(mineW.status, JSON.stringify(mineW.body)).toBe(200);
    expect(await quoteReservation(api, dq.id)).toBe(mine.body.id);
    expect(await quoteReservation(api, wq.id)).toBe(mineW.body.id);
  });

  it('S6-09, S6-10: another user’s exchange transaction is 404 and never listed', async () => {
    const dq = await brlToUsdc(api, aliceToken);
    const { body } = await depositExchange(api, aliceToken, depositQueryFor(dq));
    const asBob = await getJson(api, `/sep6/transaction?${qs({ id: body.id })}`, bobToken);
    expect(asBob.status).toBe(404);
    const list = await getJson(
      api,
      `/sep6/transactions?${qs({ asset_code: 'USDC', kind: 'deposit-exchange,withdrawal-exchange' })}`,
      bobToken,
    );
    expect(list.status).toBe(200);
    expect(list.body.transactions).toEqual([]);
  });

  it('S38-07 ("reserve what they promise"): 8 concurrent transfers with one quote — exactly one 200, seven 400, no 5xx, one row', async () => {
    for (const direction of ['deposit', 'withdrawal'] as const) {
      const quote =
        direction === 'deposit' ? await brlToUsdc(api, aliceToken) : await usdcToBrl(api, aliceToken);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          direction === 'deposit'
            ? depositExchange(api, aliceToken, depositQueryFor(quote))
            : withdrawExchange(api, aliceToken, withdrawQueryFor(quote)),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses, JSON.stringify(answers.map((a) => a.body))).toEqual([
        200, 400, 400, 400, 400, 400, 400, 400,
      ]);
      for (const a of answers.filter((x) => x.status === 400)) {
        expect(a.body).toEqual({ error: `quote_id ${quote.id} is already used by another transaction` });
      }
      const winner = answers.find((a) => a.status === 200)!;
      const rows = await api.tdb.db
        .selectFrom('transactions')
        .select('id')
        .where('quote_id', '=', quote.id)
        .execute();
      expect(rows).toEqual([{ id: winner.body.id }]);
      expect(await quoteReservation(api, quote.id)).toBe(winner.body.id);
    }
  });

  it('S6-11: PATCH on an exchange transaction that waits for nothing is 400, and on another user’s one 404', async () => {
    const dq = await brlToUsdc(api, aliceToken);
    const { body } = await depositExchange(api, aliceToken, depositQueryFor(dq));
    const patch = (jwt: string) =>
      api.request(`/sep6/transactions/${body.id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}` },
        body: JSON.stringify({ transaction: { dest: '12345678' } }),
      });
    const mine = await patch(aliceToken);
    expect(mine.status).toBe(400);
    expect(typeof ((await mine.json()) as { error: string }).error).toBe('string');
    expect((await patch(bobToken)).status).toBe(404);
  });
});

import { randomUUID } from 'node:crypto';
import { Account, Keypair, MuxedAccount } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSub } from '../../api/sep10/jwt.js';
import { depositWorkflowInput } from '../../api/sep24/deposit.js';
import { customerKeyOf } from '../../db/customers.js';
import { bearer, createSep24Api, jsonPost, type Sep24Api } from './sep24.helpers.js';

/**
 * A muxed account M(G, 7) and the memo form `G:7` are two SEP-10 subs (S10-34), and so two users: SEP-12,
 * SEP-24 and SEP-6 all say "the anchor should use this `sub` attribute in their data model to identify unique
 * users". Each is checked on every surface that keeps per-user data: SEP-12 records, transaction lists
 * and lookups, and the KYC verdict a transfer relies on.
 */
describe('X-10: a muxed account and the same G account with the same id memo are two customers everywhere', () => {
  let api: Sep24Api;
  let g: string;
  let m: string;
  let mToken: string;
  let memoToken: string;

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 'mux' });
  });
  afterAll(async () => {
    await api?.close();
  });

  async function pair() {
    g = Keypair.random().publicKey();
    m = new MuxedAccount(new Account(g, '0'), '7').accountId();
    mToken = await api.tokenFor(m);
    memoToken = await api.tokenFor(`${g}:7`);
  }

  const putCustomer = async (token: string, fields: Record<string, string>) => {
    const res = await api.request('/kyc/customer', {
      method: 'PUT',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: JSON.stringify(fields),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const getCustomer = async (token: string, query = '') =>
    api.request(`/kyc/customer${query}`, { headers: bearer(token) });
  const person = { first_name: 'Ann', last_name: 'Lee', email_address: 'ann@example.com' };

  it('S12-03, S12-10, S12-13: PUT as M... is not the G...:7 customer, and the reverse; ids do not cross', async () => {
    await pair();
    const mId = await putCustomer(mToken, person);
    // G:7 has no customer yet: NEEDS_INFO without an id (S12-06), and M's id is someone else's (404).
    const before = await getCustomer(memoToken);
    expect(before.status).toBe(200);
    expect(((await before.json()) as { id?: string }).id).toBeUndefined();
    expect((await getCustomer(memoToken, `?id=${mId}`)).status).toBe(404);
    const memoId = await putCustomer(memoToken, { ...person, first_name: 'Bo' });
    expect(memoId).not.toBe(mId);
    expect((await getCustomer(mToken, `?id=${memoId}`)).status).toBe(404);
    // Both sent memo 7 (the muxed id is M's memo, S12-03), yet each sees only its own record.
    expect(((await (await getCustomer(mToken, '?memo=7')).json()) as { id: string }).id).toBe(mId);
    expect(((await (await getCustomer(memoToken, '?memo=7')).json()) as { id: string }).id).toBe(memoId);
    const rows = await api.tdb.db
      .selectFrom('customers')
      .select(['id', 'account', 'memo'])
      .where('id', 'in', [mId, memoId])
      .orderBy('account')
      .execute();
    expect(rows).toEqual(
      [
        { id: memoId, account: g, memo: '7' },
        { id: mId, account: m, memo: '7' },
      ].sort((a, b) => a.account.localeCompare(b.account)),
    );
  });

  it('S12-19, S12-20, S12-21: DELETE as one erases only its own customer', async () => {
    await pair();
    const mId = await putCustomer(mToken, person);
    // G:7 has no data of its own: 404, and M's record is untouched.
    const none = await api.request(`/kyc/customer/${g}`, { method: 'DELETE', headers: bearer(memoToken) });
    expect(none.status).toBe(404);
    expect(((await (await getCustomer(mToken)).json()) as { id: string }).id).toBe(mId);
    const memoId = await putCustomer(memoToken, person);
    const del = await api.request(`/kyc/customer/${g}`, { method: 'DELETE', headers: bearer(memoToken) });
    expect(del.status).toBe(200);
    expect(((await (await getCustomer(memoToken)).json()) as { id?: string }).id).toBeUndefined();
    expect(((await (await getCustomer(mToken)).json()) as { id: string }).id).toBe(mId);
    const delM = await api.request(`/kyc/customer/${m}`, { method: 'DELETE', headers: bearer(mToken) });
    expect(delM.status).toBe(200);
    expect(
      await api.tdb.db.selectFrom('customers').select('id').where('id', 'in', [mId, memoId]).execute(),
    ).toEqual([]);
  });

  it('S24-34, S24-38, S6-10: a transaction started by one is not listed or found for the other', async () => {
    await pair();
    const dep = async (token: string) => {
      const res = await api.request(
        '/sep24/transactions/deposit/interactive',
        jsonPost(token, { asset_code: 'USDC', amount: '25' }),
      );
      expect(res.status).toBe(200);
      return ((await res.json()) as { id: string }).id;
    };
    const byM = await dep(mToken);
    const byMemo = await dep(memoToken);
    const ids = async (path: string, token: string) =>
      (
        (await (await api.request(path, { headers: bearer(token) })).json()) as {
          transactions: { id: string }[];
        }
      ).transactions.map((t) => t.id);
    for (const path of ['/sep24/transactions?asset_code=USDC', '/sep6/transactions?asset_code=USDC']) {
      expect(await ids(path, mToken), path).toEqual([byM]);
      expect(await ids(path, memoToken), path).toEqual([byMemo]);
    }
    for (const [token, other] of [
      [mToken, byMemo],
      [memoToken, byM],
    ] as const) {
      expect((await api.request(`/sep24/transaction?id=${other}`, { headers: bearer(token) })).status).toBe(
        404,
      );
      expect((await api.request(`/sep6/transaction?id=${other}`, { headers: bearer(token) })).status).toBe(
        404,
      );
    }
  });

  const accept = (account: string, memo: string) =>
    api.tdb.db
      .insertInto('customers')
      .values({ id: randomUUID(), account, memo, status: 'ACCEPTED', accepted_tier: 2 } as never)
      .execute();

  /** Opens the hosted deposit flow as `token` and submits an amount: where the page sends the user next. */
  async function amountStep(token: string): Promise<string> {
    const res = await api.request(
      '/sep24/transactions/deposit/interactive',
      jsonPost(token, { asset_code: 'USDC', amount: '25' }),
    );
    const { url, id } = (await res.json()) as { url: string; id: string };
    const start = await api.request(url.replace(api.config.api.publicUrl, ''));
    expect(start.status).toBe(303);
    const session = new URL(`http://x${start.headers.get('location')!}`).searchParams.get('session')!;
    const done = await api.request('/sep24/interactive/deposit/amount', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ transaction_id: id, session, lang: 'en', amount: '25' }).toString(),
    });
    expect(done.status).toBe(303);
    return new URL(`http://x${done.headers.get('location')!}`).pathname;
  }

  it('X-10, S12-03: KYC accepted for G...:7 is not applied to a deposit started by M..., nor the reverse', async () => {
    await pair();
    await accept(g, '7');
    expect(await amountStep(mToken)).toBe('/sep24/interactive/deposit/kyc');
    expect(await amountStep(memoToken)).toBe('/sep24/interactive/deposit/instructions');

    await pair();
    await accept(m, '7');
    expect(await amountStep(memoToken)).toBe('/sep24/interactive/deposit/kyc');
    expect(await amountStep(mToken)).toBe('/sep24/interactive/deposit/instructions');
  });

  it('X-10, S12-03: the deposit workflow waits on the KYC of the customer its sub is (the same key the pages use)', async () => {
    await pair();
    for (const sub of [m, `${g}:7`, g]) {
      const identity = { sub, ...parseSub(sub), clientDomain: undefined };
      const input = depositWorkflowInput(api.config, {
        id: randomUUID(),
        identity: identity as never,
        account: g,
        memo: undefined,
        amount: '25',
        claimable: false,
      });
      const key = customerKeyOf(identity);
      expect({ account: input.subAccount, memo: input.subMemo ?? '' }, sub).toEqual(key);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWithdrawApi, jsonPost, newAccount, type WithdrawApi } from './sep24-withdraw.helpers.js';

describe('POST /sep24/transactions/withdraw/interactive — errors and security', () => {
  let api: WithdrawApi;
  let jwt: string;
  let asset: string;

  beforeAll(async () => {
    api = await createWithdrawApi({ SEP24_WITHDRAW_MIN_AMOUNT: '5', SEP24_WITHDRAW_MAX_AMOUNT: '500' });
    jwt = await api.tokenFor(newAccount());
    asset = api.config.stellar.assetCode;
  });
  afterAll(async () => {
    await api?.close();
  });

  async function expectError(body: Record<string, unknown>, status: number, pattern: RegExp) {
    const res = await api.request('/sep24/transactions/withdraw/interactive', jsonPost(jwt, body));
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe('*'); // X-02, errors included
    const json = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['error']);
    expect(typeof json.error).toBe('string');
    expect(json.error).toMatch(pattern);
  }

  async function withdrawalCount() {
    const r = await api.tdb.db
      .selectFrom('transactions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  it('S24-13: asset_code missing, unknown, or with the wrong issuer → 400 {"error"}', async () => {
    await expectError({}, 400, /asset_code is required/);
    await expectError({ asset_code: 'NOPE' }, 400, /not supported/);
    await expectError({ asset_code: asset, asset_issuer: newAccount() }, 400, /issuer/);
  });

  it('S24-13: amount outside min/max or malformed → 400', async () => {
    await expectError({ asset_code: asset, amount: '1' }, 400, /minimum of 5/);
    await expectError({ asset_code: asset, amount: '501' }, 400, /maximum of 500/);
    await expectError({ asset_code: asset, amount: '1.12345678' }, 400, /at most 7 decimal/);
    await expectError({ asset_code: asset, amount: '-3' }, 400, /positive decimal/);
  });

  it('S24-14: refund_memo without refund_memo_type (and the reverse) → 400; invalid refund memo → 400', async () => {
    await expectError({ asset_code: asset, refund_memo: '123' }, 400, /together/);
    await expectError({ asset_code: asset, refund_memo_type: 'id' }, 400, /together/);
    await expectError(
      { asset_code: asset, refund_memo: 'abc', refund_memo_type: 'id' },
      400,
      /refund_memo is not a valid id memo/,
    );
    await expectError(
      { asset_code: asset, refund_memo: 'x', refund_memo_type: 'bogus' },
      400,
      /refund_memo_type/,
    );
  });

  it('S24-13: bad account, memo, on_change_callback, quote_id and destination_asset → 400', async () => {
    await expectError(
      { asset_code: asset, account: 'GNOTANACCOUNT' },
      400,
      /account must be a valid Stellar account/,
    );
    await expectError({ asset_code: asset, memo: 'x', memo_type: 'id' }, 400, /memo is not a valid id memo/);
    await expectError({ asset_code: asset, on_change_callback: 'ftp://x' }, 400, /on_change_callback/);
    // S24-15: an unknown quote, an off-chain asset nobody quotes, and a quoted one without a quote.
    await expectError(
      { asset_code: asset, quote_id: 'q1' },
      400,
      /quote_id q1 is not a quote of this account/,
    );
    await expectError(
      { asset_code: asset, destination_asset: 'iso4217:EUR' },
      400,
      /destination_asset iso4217:EUR is not offered/,
    );
    await expectError(
      { asset_code: asset, destination_asset: 'iso4217:BRL' },
      400,
      /destination_asset other than iso4217:USD needs a quote_id/,
    );
  });

  it('a rejected request writes no transaction and starts no workflow', async () => {
    const before = await withdrawalCount();
    await expectError({ asset_code: asset, amount: '1000' }, 400, /maximum/);
    expect(await withdrawalCount()).toBe(before);
  });

  it('S24-02, X-09: no JWT, a malformed one, or one signed with another key → 403 {"type":"authentication_required"}', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer nope' },
      { Authorization: `Bearer ${jwt.slice(0, -4)}AAAA` },
    ] as Record<string, string>[]) {
      const res = await api.request('/sep24/transactions/withdraw/interactive', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ asset_code: asset }),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ type: 'authentication_required' });
    }
  });

  it('S24-03: an unsupported Content-Type → 415 {"error"}', async () => {
    const res = await api.request('/sep24/transactions/withdraw/interactive', {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'text/plain' },
      body: 'asset_code=USDC',
    });
    expect(res.status).toBe(415);
    expect(Object.keys((await res.json()) as object)).toEqual(['error']);
  });

  it('S24-18: each request gets its own transaction and token; tokens are stored hashed only', async () => {
    const a = await api.request(
      '/sep24/transactions/withdraw/interactive',
      jsonPost(jwt, { asset_code: asset }),
    );
    const b = await api.request(
      '/sep24/transactions/withdraw/interactive',
      jsonPost(jwt, { asset_code: asset }),
    );
    const ja = (await a.json()) as { id: string; url: string };
    const jb = (await b.json()) as { id: string; url: string };
    expect(ja.id).not.toBe(jb.id);
    const tokenA = new URL(ja.url).searchParams.get('token')!;
    expect(tokenA).not.toBe(new URL(jb.url).searchParams.get('token'));
    const stored = await api.tdb.db
      .selectFrom('interactive_tokens')
      .select('token_hash')
      .where('transaction_id', '=', ja.id)
      .execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(tokenA);
    for (const id of [ja.id, jb.id])
      await api.temporal.workflow.getHandle(`withdraw-${id}`).terminate('cleanup');
  });
});

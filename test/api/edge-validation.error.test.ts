import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createSep24Api, jsonPost, type Sep24Api } from './sep24.helpers.js';

/**
 * Issue #15 rows 3-4, reproduced: a NUL byte (or a lone surrogate) in any field, and a multipart body the parser
 * cannot read, are 400 `{"error"}` naming the problem — refused by the declared route schemas before a handler
 * or Postgres sees them, and nothing is written.
 */
describe('edge validation: invalid code points and malformed multipart are 400 {"error"} (#15 rows 3-4)', () => {
  let api: Sep24Api;
  let token: string;
  const user = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 'edge' });
    token = await api.tokenFor(user);
  });
  afterAll(async () => {
    await api?.close();
  });

  async function expectError(res: Response, pattern: RegExp) {
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(typeof body.error).toBe('string');
    expect(body.error).toMatch(pattern);
    return body.error;
  }
  const get = (path: string) => api.request(path, { headers: bearer(token) });
  const transactionRows = async () =>
    (await api.tdb.db.selectFrom('transactions').select('id').execute()).length;

  it('X-07: %00 in /sep24/transactions asset_code and paging_id names the field', async () => {
    await expectError(await get('/sep24/transactions?asset_code=US%00DC'), /asset_code must not contain NUL/);
    await expectError(
      await get('/sep24/transactions?asset_code=USDC&paging_id=%00'),
      /paging_id must not contain NUL/,
    );
  });

  it('X-07: /sep24/transaction?id=%00 and /kyc/customer/files?customer_id=%00 are 400, not a Postgres 500', async () => {
    await expectError(await get('/sep24/transaction?id=%00'), /id must not contain NUL/);
    await expectError(await get('/kyc/customer/files?customer_id=%00'), /customer_id must not contain NUL/);
    await expectError(await get('/kyc/customer?memo=%00'), /memo must not contain NUL/);
  });

  it('S24-09: a NUL in deposit wallet_name or memo, or a lone surrogate, leaves no row and starts nothing', async () => {
    const post = (body: unknown) =>
      api.request('/sep24/transactions/deposit/interactive', jsonPost(token, body));
    const before = await transactionRows();
    await expectError(
      await post({ asset_code: 'USDC', wallet_name: 'W\u0000' }),
      /wallet_name must not contain NUL/,
    );
    await expectError(await post({ asset_code: 'USDC', memo: '1\u0000' }), /memo must not contain NUL/);
    await expectError(await post({ asset_code: 'USDC', first_name: 'Ann\u0000' }), /first_name/);
    // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
    await expectError(
      await post({ asset_code: 'USDC', wallet_name: 'W\ud800' }),
      /wallet_name must not contain/,
    );
    const form = new FormData();
    form.set('asset_code', 'USDC');
    form.set('memo', 'a\u0000b');
    await expectError(
      await api.request('/sep24/transactions/deposit/interactive', {
        method: 'POST',
        headers: bearer(token),
        body: form,
      }),
      /memo must not contain NUL/,
    );
    expect(await transactionRows()).toBe(before);
  });

  it('S24-03, S10-18, S12-13: multipart/form-data without a boundary is 400 on /auth, /kyc/customer and deposit', async () => {
    const broken = { 'Content-Type': 'multipart/form-data', ...bearer(token) };
    const body = '--x\r\nContent-Disposition: form-data; name="asset_code"\r\n\r\nUSDC\r\n--x--\r\n';
    const before = await transactionRows();
    await expectError(await api.request('/auth', { method: 'POST', headers: broken, body }), /FormData/);
    await expectError(
      await api.request('/kyc/customer', { method: 'PUT', headers: broken, body }),
      /FormData/,
    );
    await expectError(
      await api.request('/sep24/transactions/deposit/interactive', { method: 'POST', headers: broken, body }),
      /FormData/,
    );
    // A boundary that the body never uses: a broken part, the same clean 400.
    await expectError(
      await api.request('/sep24/transactions/withdraw/interactive', {
        method: 'POST',
        headers: { ...broken, 'Content-Type': 'multipart/form-data; boundary=nothere' },
        body,
      }),
      /FormData/,
    );
    expect(await transactionRows()).toBe(before);
  });

  it('a hosted page form with a NUL or a broken multipart body is 400 before any page code runs', async () => {
    await expectError(
      await api.request('/sep24/interactive/withdraw/form', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'transaction_id=x&session=y&holder=A%00',
      }),
      /holder must not contain NUL/,
    );
    await expectError(
      await api.request('/kyc/interactive', {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data' },
        body: 'garbage',
      }),
      /FormData/,
    );
  });
});

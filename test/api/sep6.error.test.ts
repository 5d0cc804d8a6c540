import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, qs } from './sep38.helpers.js';

describe('SEP-6 errors: 400 {"error"} for bad input, asset_code first', () => {
  let api: Sep24Api;
  let token: string;
  const alice = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's6e' });
    token = await api.tokenFor(alice);
  });
  afterAll(async () => {
    await api?.close();
  });

  const expect400 = async (path: string, pattern: RegExp) => {
    const { status, type, body } = await getJson(api, path, token);
    expect(status, path).toBe(400);
    expect(type).toContain('application/json');
    expect(typeof body.error).toBe('string');
    expect(body.error).toMatch(pattern);
  };

  it('S6-17: a missing or unknown asset_code is 400 before anything else (even with a foreign account)', async () => {
    const other = Keypair.random().publicKey();
    await expect400(`/sep6/deposit?${qs({ account: alice })}`, /asset_code is required/);
    await expect400(
      `/sep6/deposit?${qs({ asset_code: 'BADCODE', account: alice })}`,
      /BADCODE is not supported/,
    );
    await expect400(
      `/sep6/withdraw?${qs({ asset_code: 'BADCODE', account: other, type: 'bank_transfer' })}`,
      /BADCODE/,
    );
  });

  it('S6-04, A-12: funding_method (or type) is required and must be one /info lists', async () => {
    await expect400(
      `/sep6/deposit?${qs({ asset_code: 'USDC', amount: '10' })}`,
      /funding_method is required/,
    );
    await expect400(
      `/sep6/deposit?${qs({ asset_code: 'USDC', amount: '10', funding_method: 'cash' })}`,
      /cash is not offered/,
    );
    await expect400(
      `/sep6/withdraw?${qs({ asset_code: 'USDC', amount: '10', type: 'wire', dest: '12345678' })}`,
      /wire is not offered/,
    );
  });

  it('S6-04, S6-06: amount, account, memo and callback are checked like SEP-24', async () => {
    const base = { asset_code: 'USDC', funding_method: 'bank_transfer' };
    await expect400(`/sep6/deposit?${qs({ ...base, amount: '-1' })}`, /amount/);
    await expect400(`/sep6/deposit?${qs({ ...base, amount: '1000000' })}`, /above the maximum/);
    await expect400(`/sep6/deposit?${qs({ ...base, amount: '10', account: 'GNOPE' })}`, /account/);
    await expect400(`/sep6/deposit?${qs({ ...base, amount: '10', memo: 'abc', memo_type: 'id' })}`, /memo/);
    await expect400(
      `/sep6/deposit?${qs({ ...base, amount: '10', on_change_callback: 'ftp://x' })}`,
      /on_change_callback/,
    );
    await expect400(`/sep6/withdraw?${qs({ ...base })}`, /amount is required/);
    await expect400(`/sep6/withdraw?${qs({ ...base, amount: '10', dest: 'x!' })}`, /dest must be/);
    await expect400(
      `/sep6/withdraw?${qs({ ...base, amount: '10', dest: '12345678', refund_memo: '1' })}`,
      /together/,
    );
  });

  it('S6-10, S6-24, issue #14: /transactions with an unknown asset_code is 400, in SEP-6 as in SEP-24', async () => {
    await expect400('/sep6/transactions?asset_code=BADCODE', /BADCODE is not supported/);
    await expect400('/sep24/transactions?asset_code=BADCODE', /BADCODE is not supported/);
    await expect400('/sep6/transactions', /asset_code is required/);
    await expect400(`/sep6/transactions?${qs({ asset_code: 'USDC', kind: 'swap' })}`, /kind/);
    await expect400(`/sep6/transactions?${qs({ asset_code: 'USDC', limit: '0' })}`, /limit/);
    await expect400('/sep6/transaction', /exactly one/);
  });

  it('S6-23: unknown ids are 404 {"error"}', async () => {
    for (const q of [
      { id: '00000000-0000-4000-8000-000000000000' },
      { stellar_transaction_id: 'a'.repeat(64) },
      { external_transaction_id: 'nope' },
    ]) {
      const { status, body } = await getJson(api, `/sep6/transaction?${qs(q)}`, token);
      expect(status).toBe(404);
      expect(typeof body.error).toBe('string');
    }
  });
});

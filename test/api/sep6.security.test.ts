import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../api/sep10/jwt.js';
import { testConfig } from '../helpers/config.js';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, qs } from './sep38.helpers.js';

describe('SEP-6 security: auth on every endpoint but /info, transactions scoped to the sub', () => {
  let api: Sep24Api;
  const alice = Keypair.random().publicKey();
  const bob = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's6s' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('S6-02, S6-16: no, garbage or foreign JWT gives 403 {"type":"authentication_required"} on every endpoint', async () => {
    const foreign = await issueToken(testConfig({ JWT_SECRET: 'z'.repeat(40) }), { sub: alice });
    const paths = [
      `/sep6/deposit?${qs({ asset_code: 'USDC', account: Keypair.random().publicKey(), funding_method: 'bank_transfer', amount: '5' })}`,
      `/sep6/withdraw?${qs({ asset_code: 'USDC', type: 'bank_transfer', amount: '5', dest: '12345678' })}`,
      '/sep6/transaction?id=00000000-0000-4000-8000-000000000000',
      '/sep6/transactions?asset_code=USDC',
    ];
    for (const token of [undefined, 'garbage', foreign]) {
      for (const path of paths) {
        const { status, body } = await getJson(api, path, token);
        expect(status, path).toBe(403);
        expect(body).toEqual({ type: 'authentication_required' });
      }
    }
    expect((await api.tdb.db.selectFrom('transactions').select('id').execute()).length).toBe(0);
  });

  it('S6-10, S6-23: another user’s transaction is 404 and never listed', async () => {
    const aliceToken = await api.tokenFor(alice);
    const bobToken = await api.tokenFor(bob);
    const { body } = await getJson(
      api,
      `/sep6/deposit?${qs({ asset_code: 'USDC', funding_method: 'bank_transfer', amount: '5' })}`,
      aliceToken,
    );
    expect((await getJson(api, `/sep6/transaction?id=${body.id}`, bobToken)).status).toBe(404);
    const list = await getJson(api, '/sep6/transactions?asset_code=USDC', bobToken);
    expect(list.body.transactions).toEqual([]);
  });
});

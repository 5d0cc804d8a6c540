import { Account, Keypair, MuxedAccount } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxHorizon } from '../helpers/horizon.js';
import { bearer, createSep24Api, jsonPost, type Sep24Api } from './sep24.helpers.js';

describe('SEP-24 errors: every bad request is a clear 4xx {"error"}', () => {
  let api: Sep24Api;
  let token: string;
  const user = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({ SEP24_DEPOSIT_MIN_AMOUNT: '10', SEP24_DEPOSIT_MAX_AMOUNT: '1000' });
    token = await api.tokenFor(user);
  });
  afterAll(async () => {
    await api?.close();
  });

  const post = (body: unknown) =>
    api.request('/sep24/transactions/deposit/interactive', jsonPost(token, body));
  const expectError = async (res: Response, status: number, pattern: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*'); // X-02 on errors too
    const body = (await res.json()) as { error: string };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(pattern);
  };

  it('S24-08: missing, unknown or mismatched-issuer asset gives 400', async () => {
    await expectError(await post({}), 400, /asset_code is required/);
    await expectError(await post({ asset_code: 'EURC' }), 400, /EURC is not supported/);
    await expectError(
      await post({ asset_code: 'USDC', asset_issuer: Keypair.random().publicKey() }),
      400,
      /asset_issuer/,
    );
  });

  it('S24-08: a disabled deposit asset gives 400', async () => {
    const off = await createSep24Api({ SEP24_DEPOSIT_ENABLED: 'false' });
    try {
      const t = await off.tokenFor(user);
      const res = await off.request(
        '/sep24/transactions/deposit/interactive',
        jsonPost(t, { asset_code: 'USDC' }),
      );
      await expectError(res, 400, /not enabled/);
      const info = (await (await off.request('/sep24/info')).json()) as { deposit: { USDC: unknown } };
      expect(info.deposit.USDC).toEqual({ enabled: false });
    } finally {
      await off.close();
    }
  });

  it('S24-09: amount outside min/max, negative, too precise or not a number gives 400', async () => {
    await expectError(await post({ asset_code: 'USDC', amount: '9.99' }), 400, /below the minimum of 10/);
    await expectError(
      await post({ asset_code: 'USDC', amount: '1000.0000001' }),
      400,
      /above the maximum of 1000/,
    );
    await expectError(await post({ asset_code: 'USDC', amount: '-5' }), 400, /positive decimal/);
    await expectError(await post({ asset_code: 'USDC', amount: '1.12345678' }), 400, /7 decimal/);
    await expectError(await post({ asset_code: 'USDC', amount: 'lots' }), 400, /positive decimal/);
  });

  it('S24-09: an invalid account strkey gives 400', async () => {
    await expectError(await post({ asset_code: 'USDC', account: 'GABC' }), 400, /valid Stellar account/);
  });

  it('S24-09: bad memo_type, malformed memos and a memo on a muxed account give 400', async () => {
    await expectError(
      await post({ asset_code: 'USDC', memo: 'x', memo_type: 'return' }),
      400,
      /memo_type must be one of/,
    );
    await expectError(
      await post({ asset_code: 'USDC', memo: '12ab', memo_type: 'id' }),
      400,
      /64-bit integer/,
    );
    await expectError(
      await post({ asset_code: 'USDC', memo: 'x'.repeat(29), memo_type: 'text' }),
      400,
      /28 bytes/,
    );
    await expectError(
      await post({ asset_code: 'USDC', memo: 'AAAA', memo_type: 'hash' }),
      400,
      /base64 of 32 bytes/,
    );
    await expectError(await post({ asset_code: 'USDC', memo_type: 'id' }), 400, /without a memo/);
    const muxed = new MuxedAccount(new Account(user, '0'), '7').accountId();
    await expectError(
      await post({ asset_code: 'USDC', account: muxed, memo: '1', memo_type: 'id' }),
      400,
      /muxed/,
    );
  });

  it('S24-11: with DEPOSIT_ACCOUNT_CREATION=false an account that does not exist on the ledger gives 400 (account_creation is false); a funded one is fine', async () => {
    const horizon = await startSandboxHorizon();
    const ledgerApi = await createSep24Api({ HORIZON_URL: horizon.url, DEPOSIT_ACCOUNT_CREATION: 'false' });
    try {
      const funded = Keypair.random().publicKey();
      await horizon.friendbot(funded);
      const t = await ledgerApi.tokenFor(funded);
      const missing = Keypair.random().publicKey();
      const res = await ledgerApi.request(
        '/sep24/transactions/deposit/interactive',
        jsonPost(t, { asset_code: 'USDC', account: missing }),
      );
      await expectError(res, 400, /does not exist on the Stellar network/);
      const muxedMissing = new MuxedAccount(new Account(missing, '0'), '3').accountId();
      await expectError(
        await ledgerApi.request(
          '/sep24/transactions/deposit/interactive',
          jsonPost(t, { asset_code: 'USDC', account: muxedMissing }),
        ),
        400,
        /does not exist/,
      );
      const ok = await ledgerApi.request(
        '/sep24/transactions/deposit/interactive',
        jsonPost(t, { asset_code: 'USDC' }),
      );
      expect(ok.status).toBe(200);
    } finally {
      await ledgerApi.close();
      await horizon.stop();
    }
  });

  it('S24-24: with account creation on (the default) a deposit to a missing account is accepted and /info says account_creation: true', async () => {
    const horizon = await startSandboxHorizon();
    const ledgerApi = await createSep24Api({ HORIZON_URL: horizon.url });
    try {
      const funded = Keypair.random().publicKey();
      await horizon.friendbot(funded);
      const t = await ledgerApi.tokenFor(funded);
      const info = (await (await ledgerApi.request('/sep24/info')).json()) as {
        features: { account_creation: boolean };
      };
      expect(info.features.account_creation).toBe(true);
      const res = await ledgerApi.request(
        '/sep24/transactions/deposit/interactive',
        jsonPost(t, { asset_code: 'USDC', account: Keypair.random().publicKey() }),
      );
      expect(res.status).toBe(200);
    } finally {
      await ledgerApi.close();
      await horizon.stop();
    }
  });

  it('S24-10: an unknown quote_id is a 400 naming it; bad on_change_callback and booleans are named', async () => {
    await expectError(await post({ asset_code: 'USDC', quote_id: 'q1' }), 400, /quote_id/);
    await expectError(
      await post({ asset_code: 'USDC', on_change_callback: 'ftp://x' }),
      400,
      /on_change_callback/,
    );
    await expectError(
      await post({ asset_code: 'USDC', claimable_balance_supported: 'maybe' }),
      400,
      /claimable_balance_supported/,
    );
  });

  it('X-06: malformed JSON and unsupported content types are rejected clearly', async () => {
    const bad = await api.request('/sep24/transactions/deposit/interactive', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer(token) },
      body: '{"asset_code":',
    });
    await expectError(bad, 400, /not valid JSON/);
    const xml = await api.request('/sep24/transactions/deposit/interactive', {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml', ...bearer(token) },
      body: '<a/>',
    });
    await expectError(xml, 415, /unsupported Content-Type/);
  });

  it('S24-37, S24-39: /transaction needs exactly one key; unknown ids are 404', async () => {
    const get = (q: string) => api.request(`/sep24/transaction${q}`, { headers: bearer(token) });
    await expectError(await get(''), 400, /exactly one of id/);
    await expectError(await get('?id=a&stellar_transaction_id=b'), 400, /exactly one of id/);
    await expectError(await get('?id=00000000-0000-0000-0000-000000000000'), 404, /not found/);
    await expectError(await get(`?stellar_transaction_id=${'f'.repeat(64)}`), 404, /not found/);
    await expectError(await get('?external_transaction_id=nope'), 404, /not found/);
  });

  it('S24-35: /transactions requires asset_code and rejects malformed filters', async () => {
    const get = (q: string) => api.request(`/sep24/transactions${q}`, { headers: bearer(token) });
    await expectError(await get(''), 400, /asset_code is required/);
    await expectError(await get('?asset_code=USDC&kind=withdraw'), 400, /kind must be/);
    await expectError(await get('?asset_code=USDC&limit=0'), 400, /limit/);
    await expectError(await get('?asset_code=USDC&limit=ten'), 400, /limit/);
    await expectError(await get('?asset_code=USDC&no_older_than=yesterday'), 400, /no_older_than/);
  });

  it('more_info for an unknown id is a 404 page, not a crash', async () => {
    const res = await api.request('/sep24/more_info?id=nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });
});

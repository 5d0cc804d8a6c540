import { Account, Keypair, MuxedAccount } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWithdrawApi, jsonPost, newAccount, type WithdrawApi } from './sep24-withdraw.helpers.js';

describe('POST /sep24/transactions/withdraw/interactive — happy paths', () => {
  let api: WithdrawApi;

  beforeAll(async () => {
    api = await createWithdrawApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  async function start(token: string, body: Record<string, unknown>) {
    const res = await api.request('/sep24/transactions/withdraw/interactive', jsonPost(token, body));
    expect(res.status).toBe(200);
    return (await res.json()) as { type: string; url: string; id: string };
  }

  it('S24-16, S24-18: 200 with exactly type/url/id; the URL carries the id and a one-time token, never the JWT', async () => {
    const account = newAccount();
    const jwt = await api.tokenFor(account);
    const res = await api.request(
      '/sep24/transactions/withdraw/interactive',
      jsonPost(jwt, { asset_code: api.config.stellar.assetCode, amount: '25', lang: 'es-MX' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['id', 'type', 'url']);
    expect(body.type).toBe('interactive_customer_info_needed');
    const url = new URL(body.url!);
    expect(url.pathname).toBe('/sep24/interactive/withdraw');
    expect(url.searchParams.get('transaction_id')).toBe(body.id);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(body.url).not.toContain(jwt);
  });

  it('S24-17, S24-21: the row exists at once in incomplete, kind withdrawal, withdraw memo still null', async () => {
    const account = newAccount();
    const { id } = await start(await api.tokenFor(account), {
      asset_code: api.config.stellar.assetCode,
      amount: '10.5',
      lang: 'es',
      wallet_name: 'Test Wallet',
    });
    const row = await api.tdb.db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'withdrawal',
      status: 'incomplete',
      sub: account,
      sub_account: account,
      stellar_account: account,
      from_address: account,
      memo: null,
      memo_type: null,
      withdraw_anchor_account: null,
      amount_expected: '10.5000000',
      lang: 'es',
      asset_code: api.config.stellar.assetCode,
      asset_issuer: api.config.stellar.issuerAccount,
    });
    expect(row.user_action_required_by!.getTime()).toBeGreaterThan(Date.now());
  });

  it('starts the durable workflow withdraw-<id> once, with search attributes for operators', async () => {
    const account = newAccount();
    const { id } = await start(await api.tokenFor(account), { asset_code: api.config.stellar.assetCode });
    const description = await api.temporal.workflow.getHandle(`withdraw-${id}`).describe();
    expect(description.type).toBe('withdrawalWorkflow');
    expect(description.status.name).toBe('RUNNING');
    expect(description.taskQueue).toBe(api.config.temporal.taskQueue);
    expect(description.searchAttributes.AnchorTransactionId).toEqual([id]);
    expect(description.searchAttributes.TransactionKind).toEqual(['withdrawal']);
    expect(description.searchAttributes.StellarAccount).toEqual([account]);
    await api.temporal.workflow.getHandle(`withdraw-${id}`).terminate('test cleanup');
  });

  it('S24-14: refund_memo + refund_memo_type are stored with the withdrawal', async () => {
    const { id } = await start(await api.tokenFor(newAccount()), {
      asset_code: api.config.stellar.assetCode,
      refund_memo: '12345',
      refund_memo_type: 'id',
    });
    const details = await api.tdb.db
      .selectFrom('withdrawal_details')
      .selectAll()
      .where('transaction_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(details).toMatchObject({ refund_memo: '12345', refund_memo_type: 'id' });
  });

  it('S24-13: account may name another source account (M... muxed too); the sub still owns the transaction', async () => {
    const user = newAccount();
    const muxed = new MuxedAccount(new Account(Keypair.random().publicKey(), '0'), '42').accountId();
    const { id } = await start(await api.tokenFor(user), {
      asset_code: api.config.stellar.assetCode,
      account: muxed,
    });
    const row = await api.tdb.db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.stellar_account).toBe(muxed);
    expect(row.sub).toBe(user);
  });

  it('X-10: a shared-account user (G...:memo) is keyed by the full sub', async () => {
    const account = newAccount();
    const { id } = await start(await api.tokenFor(`${account}:777`), {
      asset_code: api.config.stellar.assetCode,
    });
    const row = await api.tdb.db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.sub).toBe(`${account}:777`);
    expect(row.sub_memo).toBe('777');
  });

  it('S24-03: multipart/form-data and form-urlencoded bodies are accepted; SEP-9 fields become prefill, on_change_callback stored', async () => {
    const jwt = await api.tokenFor(newAccount());
    const form = new FormData();
    form.set('asset_code', api.config.stellar.assetCode);
    form.set('amount', '30');
    form.set('email_address', 'ada@example.com');
    form.set('on_change_callback', 'https://wallet.example.com/cb');
    const multipart = await api.request('/sep24/transactions/withdraw/interactive', {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}` },
      body: form,
    });
    expect(multipart.status).toBe(200);
    const { id } = (await multipart.json()) as { id: string };
    const row = await api.tdb.db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.on_change_callback).toBe('https://wallet.example.com/cb');
    const token = await api.tdb.db
      .selectFrom('interactive_tokens')
      .select('prefill')
      .where('transaction_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(token.prefill).toEqual({ email_address: 'ada@example.com' });

    const urlencoded = await api.request('/sep24/transactions/withdraw/interactive', {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ asset_code: api.config.stellar.assetCode, amount: '12' }).toString(),
    });
    expect(urlencoded.status).toBe(200);
  });
});

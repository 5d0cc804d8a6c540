import { Account, Keypair, MuxedAccount } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTransaction } from '../../db/transactions.js';
import { bearer, createSep24Api, jsonPost, type Sep24Api } from './sep24.helpers.js';

interface InteractiveResponse {
  type: string;
  url: string;
  id: string;
}

describe('SEP-24 happy paths: /info, deposit, /transaction, /transactions, more_info', () => {
  let api: Sep24Api;
  const user = Keypair.random().publicKey();
  let token: string;

  beforeAll(async () => {
    api = await createSep24Api({
      SEP24_DEPOSIT_MIN_AMOUNT: '5',
      SEP24_DEPOSIT_MAX_AMOUNT: '5000',
      SEP24_DEPOSIT_FEE_FIXED: '0.5',
      SEP24_DEPOSIT_FEE_PERCENT: '1.25',
    });
    token = await api.tokenFor(user, 'wallet.example.com');
  });
  afterAll(async () => {
    await api?.close();
  });

  const deposit = async (body: Record<string, unknown>, t = token) => {
    const res = await api.request('/sep24/transactions/deposit/interactive', jsonPost(t, body));
    expect(res.status).toBe(200);
    return (await res.json()) as InteractiveResponse;
  };

  it('S24-04..07: GET /info is public and lists the asset with numeric limits and fees, fee disabled, features', async () => {
    const res = await api.request('/sep24/info');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = await res.json();
    expect(body).toEqual({
      deposit: {
        USDC: {
          enabled: true,
          min_amount: 5,
          max_amount: 5000,
          fee_fixed: 0.5,
          fee_percent: 1.25,
          fee_minimum: 0,
        },
      },
      withdraw: {
        USDC: {
          enabled: true,
          min_amount: 1,
          max_amount: 10000,
          fee_fixed: 0,
          fee_percent: 0,
          fee_minimum: 0,
        },
      },
      fee: { enabled: false },
      features: { account_creation: true, claimable_balances: false },
    });
  });

  it('S24-16, S24-17: deposit answers exactly {type,url,id}; the row exists at once in incomplete; the workflow started', async () => {
    const body = await deposit({
      asset_code: 'USDC',
      amount: '100',
      lang: 'es-MX',
      wallet_name: 'Test Wallet',
    });
    expect(Object.keys(body).sort()).toEqual(['id', 'type', 'url']);
    expect(body.type).toBe('interactive_customer_info_needed');
    const url = new URL(body.url);
    expect(url.origin + url.pathname).toBe(`${api.config.api.publicUrl}/sep24/interactive/deposit`);
    expect(url.searchParams.get('transaction_id')).toBe(body.id);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.url).not.toContain(token); // S24-18: never the JWT

    const row = await getTransaction(api.tdb.db, body.id);
    expect(row).toMatchObject({
      status: 'incomplete',
      kind: 'deposit',
      sub: user,
      stellar_account: user,
      amount_expected: '100.0000000',
      client_domain: 'wallet.example.com', // S24-12
      lang: 'es',
      wallet_name: 'Test Wallet',
    });
    const desc = await api.temporal.workflow.getHandle(`deposit-${body.id}`).describe();
    expect(desc.type).toBe('depositWorkflow');
    expect(desc.status.name).toBe('RUNNING');

    const tx = await api.request(`/sep24/transaction?id=${body.id}`, { headers: bearer(token) });
    expect(tx.status).toBe(200);
    const { transaction } = (await tx.json()) as { transaction: Record<string, unknown> };
    expect(transaction).toMatchObject({
      id: body.id,
      kind: 'deposit',
      status: 'incomplete',
      more_info_url: expect.stringMatching(
        new RegExp(`^${api.config.api.publicUrl}/sep24/more_info\\?id=${body.id}&sig=[A-Za-z0-9_-]{32}$`),
      ),
      to: user,
      refunded: false,
      amount_in: null,
      amount_out: null,
      amount_in_asset: 'iso4217:USD',
      amount_out_asset: `stellar:USDC:${api.config.stellar.issuerAccount}`,
      stellar_transaction_id: null,
    });
    expect(transaction.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(transaction.user_action_required_by).toMatch(/Z$/);
  });

  it('S24-03: the same request works as form-urlencoded and as multipart/form-data', async () => {
    const form = new URLSearchParams({ asset_code: 'USDC', amount: '10' });
    const a = await api.request('/sep24/transactions/deposit/interactive', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...bearer(token) },
      body: form.toString(),
    });
    expect(a.status).toBe(200);
    const fd = new FormData();
    fd.set('asset_code', 'USDC');
    fd.set('amount', '11.5');
    fd.set('claimable_balance_supported', 'true');
    const b = await api.request('/sep24/transactions/deposit/interactive', {
      method: 'POST',
      headers: bearer(token),
      body: fd,
    });
    expect(b.status).toBe(200);
    const row = await getTransaction(api.tdb.db, ((await b.json()) as InteractiveResponse).id);
    expect(row?.amount_expected).toBe('11.5000000');
    expect(row?.claimable_balance_supported).toBe(true);
  });

  it('S24-09, S24-23: account may differ from the JWT (G or M), memo/memo_type become deposit_memo(_type)', async () => {
    const other = Keypair.random().publicKey();
    const withMemo = await deposit({ asset_code: 'USDC', account: other, memo: '12345', memo_type: 'id' });
    const tx = await api.request(`/sep24/transaction?id=${withMemo.id}`, { headers: bearer(token) });
    const { transaction } = (await tx.json()) as { transaction: Record<string, unknown> };
    expect(transaction).toMatchObject({ to: other, deposit_memo: '12345', deposit_memo_type: 'id' });

    const muxed = new MuxedAccount(new Account(other, '0'), '42').accountId();
    const toMuxed = await deposit({ asset_code: 'USDC', account: muxed });
    expect((await getTransaction(api.tdb.db, toMuxed.id))?.stellar_account).toBe(muxed);
  });

  it('S24-37, S24-39: GET /transaction by stellar_transaction_id and external_transaction_id', async () => {
    const { id } = await deposit({ asset_code: 'USDC' });
    await api.tdb.db
      .updateTable('transactions')
      .set({ stellar_transaction_id: 'a'.repeat(64), external_transaction_id: `bank-${id}` })
      .where('id', '=', id)
      .execute();
    for (const q of [`stellar_transaction_id=${'a'.repeat(64)}`, `external_transaction_id=bank-${id}`]) {
      const res = await api.request(`/sep24/transaction?${q}`, { headers: bearer(token) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { transaction: { id: string } }).transaction.id).toBe(id);
    }
  });

  it('S24-34..36: GET /transactions lists newest first, filters by kind/no_older_than/limit and pages with paging_id', async () => {
    const lister = Keypair.random().publicKey();
    const t = await api.tokenFor(lister);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await deposit({ asset_code: 'USDC', amount: `${10 + i}` }, t)).id);
    // Distinct, increasing start times.
    for (const [i, id] of ids.entries()) {
      await api.tdb.db
        .updateTable('transactions')
        .set({ started_at: new Date(Date.UTC(2026, 0, 1 + i)) })
        .where('id', '=', id)
        .execute();
    }
    const list = async (q: string) => {
      const res = await api.request(`/sep24/transactions?${q}`, { headers: bearer(t) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { transactions: { id: string; kind: string }[] }).transactions.map(
        (x) => x.id,
      );
    };
    expect(await list('asset_code=USDC')).toEqual([...ids].reverse());
    expect(await list('asset_code=USDC&limit=2')).toEqual([ids[3], ids[2]]);
    expect(await list(`asset_code=USDC&paging_id=${ids[2]}`)).toEqual([ids[1], ids[0]]);
    expect(await list('asset_code=USDC&no_older_than=2026-01-03T00:00:00Z')).toEqual([ids[3], ids[2]]);
    expect(await list('asset_code=USDC&kind=withdrawal')).toEqual([]);
    expect(await list('asset_code=USDC&kind=deposit')).toHaveLength(4);
    expect(await list('asset_code=USDC&kind=withdrawal')).toEqual([]); // S24-36: empty is 200 []
    // An asset this anchor does not offer is a bad request, not an empty list (issue #14).
    const unknown = await api.request('/sep24/transactions?asset_code=EURC', { headers: bearer(t) });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/EURC is not supported/);
  });

  it('S24-27: more_info_url returns 200 text/html in the transaction language', async () => {
    const { id } = await deposit({ asset_code: 'USDC', amount: '1234.5', lang: 'es' });
    const res = await api.request(`/sep24/more_info?id=${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('<html lang="es">');
    expect(html).toContain('Esperando tus datos');
    expect(html).toContain('1234,50'); // es formatting (grouping starts at 5 digits)
    const en = await (await api.request(`/sep24/more_info?id=${id}&lang=en`)).text();
    expect(en).toContain('1,234.50');
  });
});

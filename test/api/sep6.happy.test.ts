import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interactiveCompletedSignal } from '../../workflows/messages.js';
import { bearer, createSep24Api, type Sep24Api } from './sep24.helpers.js';
import { getJson, qs } from './sep38.helpers.js';

describe('SEP-6 happy paths: /info, /deposit, /withdraw, /transaction(s) on the SEP-24 workflows', () => {
  let api: Sep24Api;
  let token: string;
  const alice = Keypair.random().publicKey();

  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 's6h' });
    token = await api.tokenFor(alice);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('S1-09: stellar.toml lists TRANSFER_SERVER', async () => {
    const toml = await (await api.request('/.well-known/stellar.toml')).text();
    expect(toml).toContain(`TRANSFER_SERVER = "${api.config.api.publicUrl}/sep6"`);
  });

  it('S6-03, S6-14, S6-15, S6-16: /info without a JWT — funding methods, numeric fees, withdraw types, auth required', async () => {
    const { status, body } = await getJson(api, '/sep6/info');
    expect(status).toBe(200);
    const dep = body.deposit.USDC;
    expect(dep).toMatchObject({
      enabled: true,
      authentication_required: true,
      funding_methods: ['bank_transfer'],
    });
    for (const k of ['min_amount', 'max_amount', 'fee_fixed', 'fee_percent'])
      expect(typeof dep[k]).toBe('number');
    expect(dep.fields).toBeUndefined();
    expect(body.withdraw.USDC).toMatchObject({
      enabled: true,
      authentication_required: true,
      types: { bank_transfer: { fields: {} } },
    });
    for (const k of ['fee', 'transaction', 'transactions']) expect(typeof body[k].enabled).toBe('boolean');
    expect(body['deposit-exchange']).toBeDefined();
    expect(body['withdraw-exchange']).toBeDefined();
  });

  it('S6-04, S6-05, S6-18: a deposit answers 200 with id, how, instructions (SEP-9 bank fields) and numbers; the same DepositWorkflow runs, already past the form', async () => {
    const { status, body } = await getJson(
      api,
      `/sep6/deposit?${qs({ asset_code: 'USDC', account: alice, funding_method: 'bank_transfer', amount: '25' })}`,
      token,
    );
    expect(status).toBe(200);
    expect(typeof body.id).toBe('string');
    expect(typeof body.how).toBe('string');
    for (const k of ['eta', 'min_amount', 'max_amount', 'fee_fixed', 'fee_percent'])
      expect(typeof body[k]).toBe('number');
    expect(typeof body.extra_info.message).toBe('string');
    const ref = body.instructions['organization.external_transfer_memo'];
    expect(ref.value).toMatch(/^DEP[0-9A-F]{10}$/i);
    expect(body.instructions['organization.bank_account_number'].value).toBe(api.config.bank.anchorAccount);
    expect(body.how).toContain(ref.value);

    const row = await api.tdb.db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'deposit',
      sub: alice,
      amount_expected: '25.0000000',
      bank_reference: ref.value,
    });
    // One run, the SEP-24 deposit workflow, started together with the form-completed signal.
    const handle = api.temporal.workflow.getHandle(`deposit-${body.id}`);
    const desc = await handle.describe();
    expect(desc.type).toBe('depositWorkflow');
    const history = await handle.fetchHistory();
    const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signals.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toEqual([
      interactiveCompletedSignal.name,
    ]);
  });

  it('S6-18: a deposit with only asset_code, account and funding_method (no amount) answers 200; the run waits for the transfer with no amount announced', async () => {
    const { status, body } = await getJson(
      api,
      `/sep6/deposit?${qs({ asset_code: 'USDC', account: alice, funding_method: 'bank_transfer' })}`,
      token,
    );
    expect(status).toBe(200);
    expect(typeof body.id).toBe('string');
    expect(typeof body.how).toBe('string');
    for (const k of ['eta', 'min_amount', 'max_amount', 'fee_fixed', 'fee_percent'])
      expect(typeof body[k]).toBe('number');
    const row = await api.tdb.db
      .selectFrom('transactions')
      .select(['amount_expected', 'amount_in'])
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ amount_expected: null, amount_in: null });
    const history = await api.temporal.workflow.getHandle(`deposit-${body.id}`).fetchHistory();
    const signal = (history.events ?? []).find((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signal).toBeDefined();
  });

  it('S6-06, S6-19, S6-20, A-12: a withdrawal with the deprecated type answers 200 with only the allowed keys', async () => {
    const { status, body } = await getJson(
      api,
      `/sep6/withdraw?${qs({ asset_code: 'USDC', account: alice, type: 'bank_transfer', amount: '10', dest: 'DE89370400440532013000' })}`,
      token,
    );
    expect(status).toBe(200);
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
    const desc = await api.temporal.workflow.getHandle(`withdraw-${body.id}`).describe();
    expect(desc.type).toBe('withdrawalWorkflow');
    const details = await api.tdb.db
      .selectFrom('withdrawal_details')
      .selectAll()
      .where('transaction_id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(details.destination_masked).toMatch(/3000$/);
    expect(details.destination_ciphertext).not.toContain('DE8937');
  });

  it('S6-09, S6-10, S6-21, S6-23, S6-25: /transaction and /transactions return the SEP-6 objects, newest first, with filters', async () => {
    const list = await getJson(
      api,
      `/sep6/transactions?${qs({ asset_code: 'USDC', account: alice })}`,
      token,
    );
    expect(list.status).toBe(200);
    expect(list.body.transactions.length).toBeGreaterThanOrEqual(2);
    for (const tx of list.body.transactions) {
      expect(tx.started_at).toMatch(/Z$/);
      expect(tx).toHaveProperty('to');
      expect(tx).toHaveProperty('from');
      expect(['deposit', 'withdrawal']).toContain(tx.kind);
    }
    const [first, second] = list.body.transactions;
    expect(first.started_at >= second.started_at).toBe(true);
    const one = await getJson(api, `/sep6/transactions?${qs({ asset_code: 'USDC', limit: '1' })}`, token);
    expect(one.body.transactions).toHaveLength(1);
    const deposits = await getJson(
      api,
      `/sep6/transactions?${qs({ asset_code: 'USDC', kind: 'deposit' })}`,
      token,
    );
    expect(deposits.body.transactions.every((t: { kind: string }) => t.kind === 'deposit')).toBe(true);
    const single = await getJson(api, `/sep6/transaction?${qs({ id: first.id })}`, token);
    expect(single.status).toBe(200);
    expect(single.body.transaction.id).toBe(first.id);
  });

  it('S6-07: a deposit waiting on KYC shows pending_customer_info_update in SEP-6 (pending_anchor in SEP-24)', async () => {
    const { body } = await getJson(
      api,
      `/sep6/deposit?${qs({ asset_code: 'USDC', funding_method: 'bank_transfer', amount: '5' })}`,
      token,
    );
    // No worker runs on this queue: put the row where the workflow puts it while it waits for SEP-12.
    await api.tdb.db
      .updateTable('transactions')
      .set({ status: 'pending_anchor', kyc_verified: false })
      .where('id', '=', body.id)
      .execute();
    const sep6 = await getJson(api, `/sep6/transaction?${qs({ id: body.id })}`, token);
    expect(sep6.body.transaction.status).toBe('pending_customer_info_update');
    const sep24 = await getJson(api, `/sep24/transaction?${qs({ id: body.id })}`, token);
    expect(sep24.body.transaction.status).toBe('pending_anchor');
    void bearer;
  });
});

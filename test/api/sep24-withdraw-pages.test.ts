import { randomBytes, randomUUID } from 'node:crypto';
import { Asset, BASE_FEE, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { issueToken } from '../../api/sep10/jwt.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { decryptAtRest } from '../../stellar/crypto.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';

/**
 * The hosted withdrawal pages over HTTP (no browser): token handling, the balance read from the sandbox ledger,
 * localized errors, bank details encrypted at rest, and the hand-off to the workflow on the real dev server.
 */
describe('SEP-24 withdraw hosted pages', () => {
  let h: SandboxHorizonHandle;
  let tdb: TestDb;
  let config: AppConfig;
  let temporal: TestTemporal;
  let app: ReturnType<typeof createApp>;
  const user = Keypair.random();
  const poor = Keypair.random();

  beforeAll(async () => {
    h = await startSandboxHorizon();
    tdb = await createTestDb('wpages');
    const taskQueue = `wpages-${randomBytes(4).toString('hex')}`;
    config = testConfig({
      HORIZON_URL: h.url,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SEP24_WITHDRAW_MIN_AMOUNT: '5',
      SEP24_WITHDRAW_MAX_AMOUNT: '500',
      SEP24_WITHDRAW_FEE_FIXED: '1',
      SEP24_WITHDRAW_FEE_PERCENT: '2',
      PUBLIC_URL: 'http://anchor.test',
    });
    // The user holds 100 of the anchor's asset; `poor` has an account but no trust line.
    const issuer = Keypair.fromSecret(config.stellar.issuerSecret!);
    const asset = new Asset(config.stellar.assetCode, issuer.publicKey());
    await Promise.all([issuer, user, poor].map((k) => h.friendbot(k.publicKey())));
    const submit = async (source: Keypair, ops: ReturnType<typeof Operation.payment>[]) => {
      const account = await h.server.loadAccount(source.publicKey());
      const tx = new TransactionBuilder(account, {
        fee: BASE_FEE,
        networkPassphrase: h.passphrase,
      }).setTimeout(60);
      for (const op of ops) tx.addOperation(op);
      const built = tx.build();
      built.sign(source);
      await h.server.submitTransaction(built);
    };
    await submit(user, [Operation.changeTrust({ asset })]);
    await submit(issuer, [Operation.payment({ destination: user.publicKey(), asset, amount: '100' })]);

    // `user` passed KYC before; the same account behind a memo (user:77) is another, unverified customer.
    await tdb.db
      .insertInto('customers')
      .values({ id: randomUUID(), account: user.publicKey(), memo: '', status: 'ACCEPTED', accepted_tier: 2 })
      .execute();
    temporal = await startTestWorker({ config, db: tdb.db }, { taskQueue });
    const deps = { config, db: tdb.db, temporal: temporal.client, logger: createLogger('test', 'silent') };
    app = createApp(deps);
  });

  afterAll(async () => {
    const rows = await tdb?.db.selectFrom('transactions').select('id').execute();
    for (const r of rows ?? []) {
      await temporal?.client.workflow
        .getHandle(`withdraw-${r.id}`)
        .terminate('done')
        .catch(() => {});
    }
    await temporal?.stop();
    await tdb?.destroy();
    await h?.stop();
  });

  const local = (url: string) => url.replace('http://anchor.test', '');

  async function startWithdrawal(
    account: Keypair,
    lang = 'en',
    extra: Record<string, string> = {},
    memo?: string,
  ) {
    const jwt = await issueToken(config, {
      sub: memo ? `${account.publicKey()}:${memo}` : account.publicKey(),
    });
    const res = await app.request('/sep24/transactions/withdraw/interactive', {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ asset_code: config.stellar.assetCode, lang, ...extra }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { id: string; url: string };
  }

  /** Follows the interactive URL: spends the token and returns the session. */
  async function openSession(url: string) {
    const res = await app.request(local(url));
    expect(res.status).toBe(303);
    const next = new URL(res.headers.get('location')!);
    expect(next.pathname).toBe('/sep24/interactive/withdraw/form');
    return { id: next.searchParams.get('transaction_id')!, session: next.searchParams.get('session')! };
  }

  const postForm = (path: string, fields: Record<string, string>) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  it('S24-18: the one-time token opens a session once; a reused or foreign token gets a clear page, not the form', async () => {
    const { url } = await startWithdrawal(user);
    const { session } = await openSession(url);
    expect(session).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const again = await app.request(local(url));
    expect(again.status).toBe(403);
    expect(await again.text()).toContain('expired or was already used');
    const other = await startWithdrawal(user);
    const forged = new URL(other.url);
    forged.searchParams.set('token', new URL(url).searchParams.get('token')!);
    expect((await app.request(local(forged.toString()))).status).toBe(403);
  });

  it('the form shows limits, the fee schedule and the balance read from the ledger; layout is responsive', async () => {
    const { url } = await startWithdrawal(user, 'en', {
      amount: '20',
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    const { id, session } = await openSession(url);
    const res = await app.request(`/sep24/interactive/withdraw/form?transaction_id=${id}&session=${session}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors *');
    const html = await res.text();
    expect(html).toContain('name="viewport"');
    // Branding and support contact from the stellar.toml [DOCUMENTATION], as on the deposit pages.
    expect(html).toContain('Sandbox Anchor Ltd.');
    expect(html).toContain('Questions? Write to support@anchor.test.');
    expect(html).toContain('Between 5.00 USDC and 500.00 USDC. Your balance: 100.00 USDC.');
    expect(html).toContain('Fee: 1.00 USDC + 2% of the amount');
    expect(html).toContain('value="20"'); // amount from the request
    expect(html).toContain('value="Ada Lovelace"'); // SEP-9 prefill, editable
  });

  it('more than the balance → rejected with the balance, in English and in Spanish; nothing stored', async () => {
    const en = await startWithdrawal(user, 'en');
    const s1 = await openSession(en.url);
    const r1 = await postForm('/sep24/interactive/withdraw/form', {
      transaction_id: s1.id,
      session: s1.session,
      amount: '150',
      holder: 'Ada Lovelace',
      account: 'ES9121000418450200051332',
      routing: '',
    });
    expect(r1.status).toBe(422);
    expect(await r1.text()).toContain(
      'Rejected: 150.00 USDC is more than your balance of 100.00 USDC. Enter at most 100.00 USDC.',
    );

    const es = await startWithdrawal(user, 'es-ES');
    const s2 = await openSession(es.url);
    const r2 = await postForm('/sep24/interactive/withdraw/form', {
      transaction_id: s2.id,
      session: s2.session,
      amount: '150,5',
      holder: 'Ada Lovelace',
      account: 'ES9121000418450200051332',
      routing: '',
    });
    expect(r2.status).toBe(422);
    const html = await r2.text();
    expect(html).toContain('lang="es"');
    expect(html).toContain(
      'Rechazado: 150,50 USDC supera tu saldo de 100,00 USDC. Introduce como máximo 100,00 USDC.',
    );
    const details = await tdb.db
      .selectFrom('withdrawal_details')
      .selectAll()
      .where('transaction_id', '=', s2.id)
      .executeTakeFirst();
    expect(details?.destination_ciphertext ?? null).toBeNull();
  });

  it('an account without the asset, a bad IBAN, a bad holder name, below the minimum → localized field errors', async () => {
    const p = await startWithdrawal(poor, 'en');
    const sp = await openSession(p.url);
    const noFunds = await postForm('/sep24/interactive/withdraw/form', {
      transaction_id: sp.id,
      session: sp.session,
      amount: '10',
      holder: 'Bob',
      account: 'ES9121000418450200051332',
      routing: '',
    });
    expect(await noFunds.text()).toContain('Rejected: your Stellar account holds no USDC');

    const { url } = await startWithdrawal(user, 'es');
    const s = await openSession(url);
    const res = await postForm('/sep24/interactive/withdraw/form', {
      transaction_id: s.id,
      session: s.session,
      amount: '2',
      holder: '1',
      account: 'ES9121000418450200051333',
      routing: 'xx',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('El retiro mínimo es 5,00 USDC.');
    expect(html).toContain('Escribe el nombre tal como figura en la cuenta bancaria.');
    expect(html).toContain('Introduce un IBAN válido');
    expect(html).toContain('BIC (8 u 11 caracteres)');
    expect(html).toContain('aria-invalid="true"');
  });

  it('valid form → confirmation with fee; bank details encrypted at rest (AES-256-GCM, bound to the row) and masked', async () => {
    const { url } = await startWithdrawal(user, 'en');
    const { id, session } = await openSession(url);
    const res = await postForm('/sep24/interactive/withdraw/form', {
      transaction_id: id,
      session,
      amount: '50',
      holder: 'Ada Lovelace',
      account: 'ES91 2100 0418 4502 0005 1332',
      routing: 'CAIXESBBXXX',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/id="fee">2.00 USDC/); // 1 + 2 % of 50
    expect(html).toMatch(/id="you-receive">48.00 USD</);
    expect(html).toContain('****1332');
    const details = await tdb.db
      .selectFrom('withdrawal_details')
      .selectAll()
      .where('transaction_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(details.destination_masked).toBe('****1332');
    expect(details.destination_ciphertext).not.toContain('2100');
    expect(details.destination_ciphertext).not.toContain('Lovelace');
    expect(
      JSON.parse(decryptAtRest(config.withdraw.encryptionKey, details.destination_ciphertext!, id)),
    ).toEqual({
      name: 'Ada Lovelace',
      account: 'ES9121000418450200051332',
      routing: 'CAIXESBBXXX',
    });
    expect(() =>
      decryptAtRest(config.withdraw.encryptionKey, details.destination_ciphertext!, 'another-row'),
    ).toThrow(/cannot be decrypted/);
  });

  it('confirm → the workflow leaves incomplete: pending_user_transfer_start with amount, memo and receiving account (S24-20, S24-21)', async () => {
    const { url } = await startWithdrawal(user, 'es');
    const { id, session } = await openSession(url);
    const form = await postForm('/sep24/interactive/withdraw/form', {
      transaction_id: id,
      session,
      amount: '30',
      holder: 'Ada Lovelace',
      account: 'ES9121000418450200051332',
      routing: '',
    });
    expect(form.status).toBe(200);
    const done = await postForm('/sep24/interactive/withdraw/confirm', { transaction_id: id, session });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Vuelve a tu billetera: te pedirá enviar 30,00 USDC');
    const row = await tdb.db
      .selectFrom('transactions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('pending_user_transfer_start');
    expect(row.amount_in).toBe('30.0000000');
    expect(row.amount_fee).toBe('1.6000000');
    expect(row.amount_out).toBe('28.4000000');
    expect(row.memo_type).toBe('id');
    expect(row.withdraw_anchor_account).toBe(config.stellar.distributionAccount);
    expect(row.to_address).toBe('****1332');
    // What the wallet reads to send the payment (S24-21, S24-29, S24-30).
    const jwt = await issueToken(config, { sub: user.publicKey() });
    const tx = await app.request(`/sep24/transaction?id=${id}`, {
      headers: { Authorization: `Bearer ${jwt}` },
    });
    expect(tx.status).toBe(200);
    const { transaction } = (await tx.json()) as { transaction: Record<string, unknown> };
    expect(transaction).toMatchObject({
      id,
      kind: 'withdrawal',
      status: 'pending_user_transfer_start',
      amount_in: '30',
      amount_fee: '1.6',
      amount_out: '28.4',
      withdraw_anchor_account: config.stellar.distributionAccount,
      withdraw_memo: row.memo,
      withdraw_memo_type: 'id',
      from: user.publicKey(),
      to: '****1332',
      kyc_verified: true,
    });
    // The flow is over: the session no longer opens the form.
    const after = await app.request(
      `/sep24/interactive/withdraw/form?transaction_id=${id}&session=${session}`,
    );
    expect(after.status).toBe(409);
  });

  it('a session token of another transaction is refused', async () => {
    const a = await openSession((await startWithdrawal(user)).url);
    const b = await startWithdrawal(user);
    const res = await app.request(
      `/sep24/interactive/withdraw/form?transaction_id=${b.id}&session=${a.session}`,
    );
    expect(res.status).toBe(401);
  });

  it('KYC needed for the tier → the hosted KYC form (errors localized), then the confirmation', async () => {
    const { url } = await startWithdrawal(user, 'es', { email_address: 'ada@example.com' }, '77');
    const { id, session } = await openSession(url);
    const bank = { amount: '20', holder: 'Ada Lovelace', account: 'ES9121000418450200051332', routing: '' };
    const kycPage = await postForm('/sep24/interactive/withdraw/form', {
      transaction_id: id,
      session,
      ...bank,
    });
    expect(kycPage.status).toBe(200);
    const html = await kycPage.text();
    expect(html).toContain('Cuéntanos quién eres');
    expect(html).toContain('name="first_name"');
    expect(html).toContain('value="ada@example.com"'); // SEP-9 prefill from the wallet
    const missing = await postForm('/sep24/interactive/withdraw/kyc', {
      transaction_id: id,
      session,
      first_name: 'Ada',
    });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('aria-invalid="true"');
    const ok = await postForm('/sep24/interactive/withdraw/kyc', {
      transaction_id: id,
      session,
      first_name: 'Ada',
      last_name: 'Lovelace',
      email_address: 'ada@example.com',
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Revisa y confirma');
  });

  it('S24-19: callback=postMessage and on_change_callback on the URL are kept; the last page posts the transaction', async () => {
    const { url } = await startWithdrawal(user, 'en');
    const withCallbacks = new URL(url);
    withCallbacks.searchParams.set('callback', 'postMessage');
    withCallbacks.searchParams.set('on_change_callback', 'postMessage');
    const { id, session } = await openSession(withCallbacks.toString());
    expect(
      await tdb.db
        .selectFrom('transactions')
        .select(['interactive_callback', 'on_change_callback'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ interactive_callback: 'postMessage', on_change_callback: 'postMessage' });
    await postForm('/sep24/interactive/withdraw/form', {
      transaction_id: id,
      session,
      amount: '12',
      holder: 'Ada Lovelace',
      account: 'ES9121000418450200051332',
      routing: '',
    });
    const done = await postForm('/sep24/interactive/withdraw/confirm', { transaction_id: id, session });
    const html = await done.text();
    expect(html).toContain('window.opener||window.parent');
    expect(html).toContain(`"id":"${id}"`);
    expect(html).toContain('"kind":"withdrawal"');
  });
});

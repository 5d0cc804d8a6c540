import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keypair } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTransaction } from '../../db/transactions.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { createSep24Api, jsonPost, type Sep24Api } from './sep24.helpers.js';

/**
 * The hosted deposit pages against the real DepositWorkflow (a worker with the real activities on this file's
 * task queue): amount → (KYC) → bank instructions, in English and Spanish.
 */
describe('SEP-24 hosted deposit pages (S24-16..20)', () => {
  let api: Sep24Api;
  let temporal: TestTemporal;
  let callbackServer: Server;
  const callbacks: { body: string; signature: string | undefined }[] = [];

  beforeAll(async () => {
    api = await createSep24Api({
      SEP24_DEPOSIT_MIN_AMOUNT: '10',
      SEP24_DEPOSIT_MAX_AMOUNT: '5000',
      SEP24_DEPOSIT_FEE_FIXED: '1',
      SEP24_DEPOSIT_FEE_PERCENT: '1',
    });
    temporal = await startTestWorker(
      { config: api.config, db: api.tdb.db },
      { taskQueue: api.config.temporal.taskQueue },
    );
    callbackServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        callbacks.push({ body, signature: req.headers.signature as string | undefined });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => callbackServer.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await api?.close();
    await temporal?.stop();
    await new Promise((r) => callbackServer?.close(r));
  });

  async function acceptedCustomer(account: string) {
    await api.tdb.db
      .insertInto('customers')
      .values({ id: randomUUID(), account, memo: '', status: 'ACCEPTED', accepted_tier: 2 } as never)
      .execute();
  }

  async function open(account: string, body: Record<string, unknown>, extra = '') {
    const token = await api.tokenFor(account);
    const res = await api.request(
      '/sep24/transactions/deposit/interactive',
      jsonPost(token, { asset_code: 'USDC', ...body }),
    );
    const { url, id } = (await res.json()) as { url: string; id: string };
    const start = await api.request(`${url.replace(api.config.api.publicUrl, '')}${extra}`);
    expect(start.status).toBe(303);
    const amountUrl = start.headers.get('location')!;
    const session = new URL(`http://x${amountUrl}`).searchParams.get('session')!;
    return { id, amountUrl, session };
  }

  const postForm = (path: string, fields: Record<string, string>) =>
    api.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  it('KYC already accepted (es): amount with decimal comma → instructions with the reference, fee and expiry in Spanish', async () => {
    const user = Keypair.random().publicKey();
    await acceptedCustomer(user);
    const cb = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/done`;
    const { id, amountUrl, session } = await open(
      user,
      { amount: '100', lang: 'es' },
      `&callback=${encodeURIComponent(cb)}`,
    );

    const page = await api.request(amountUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="es">');
    expect(html).toContain('<label for="amount">');
    expect(html).toMatch(/value="100"/);
    expect(html).toContain('Comisión: 1,00 USD + 1 % del importe');

    const done = await postForm('/sep24/interactive/deposit/amount', {
      transaction_id: id,
      session,
      lang: 'es',
      amount: '250,5',
    });
    expect(done.status).toBe(303);
    const instructionsUrl = done.headers.get('location')!;
    expect(instructionsUrl).toContain('/sep24/interactive/deposit/instructions');

    // The workflow moves on by itself; wait for the condition, not a fixed time.
    const deadline = Date.now() + 30_000;
    let row = await getTransaction(api.tdb.db, id);
    while (row?.status !== 'pending_user_transfer_start' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      row = await getTransaction(api.tdb.db, id);
    }
    expect(row?.status).toBe('pending_user_transfer_start');
    expect(row?.amount_in).toBe('250.5000000');
    expect(row?.amount_fee).toBe('3.5050000');
    const instructions = await (await api.request(instructionsUrl)).text();
    expect(instructions).toContain(row!.bank_reference!);
    expect(instructions).toContain('250,50 USD');
    expect(instructions).toContain('3,505 USD');
    expect(instructions).toContain('246,995 USDC');
    expect(instructions).toContain('Haz la transferencia bancaria');
    expect(instructions).toMatch(/Envíala antes del[\s\S]*\d{4}/);
    expect(instructions).toContain(`${api.config.bank.apiUrl}/?reference=${row!.bank_reference}`);

    // S24-19 `callback`: exactly one signed POST of the /transaction body once the user finished.
    while (callbacks.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const mine = callbacks.filter((c) => c.body.includes(id));
    expect(mine).toHaveLength(1);
    expect(JSON.parse(mine[0]!.body).transaction.status).toBe('pending_user_transfer_start');
    expect(mine[0]!.signature).toMatch(/^t=\d+, s=/);
  });

  it('S24-19 postMessage: the instructions page posts {transaction} to the opener or parent', async () => {
    const user = Keypair.random().publicKey();
    await acceptedCustomer(user);
    const { id, session } = await open(user, {}, '&callback=postMessage');
    const done = await postForm('/sep24/interactive/deposit/amount', {
      transaction_id: id,
      session,
      lang: 'en',
      amount: '50',
    });
    const deadline = Date.now() + 30_000;
    let html = '';
    let csp = '';
    while (Date.now() < deadline) {
      const res = await api.request(done.headers.get('location')!);
      html = await res.text();
      csp = res.headers.get('content-security-policy') ?? '';
      if (html.includes('postMessage(')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(html).toContain('window.opener||(window.parent!==window?window.parent:null)');
    expect(html).toContain(`"id":"${id}"`);

    // #15 row 9: no 'unsafe-inline'; the page's stylesheet and each of its scripts carry this response's nonce.
    const directive = (name: string) => csp.split(';').find((d) => d.trim().startsWith(`${name} `)) ?? '';
    const scriptSrc = directive('script-src');
    expect(csp).not.toContain('unsafe-inline');
    const nonce = /'nonce-([A-Za-z0-9+/=]{22,})'/.exec(scriptSrc)?.[1];
    expect(nonce, scriptSrc).toBeDefined();
    expect(directive('style-src')).toContain(`'nonce-${nonce}'`);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThanOrEqual(2); // the state poll and the postMessage
    for (const tag of [...scripts, ...(html.match(/<style\b[^>]*>/g) ?? [])]) {
      expect(tag).toContain(`nonce="${nonce}"`);
    }
    expect(html).not.toMatch(/\sstyle="/); // an inline style attribute would be refused by this policy
    // A fresh nonce on every response.
    const again = await api.request(done.headers.get('location')!);
    expect(again.headers.get('content-security-policy')).not.toContain(`'nonce-${nonce}'`);
  });

  it('amount outside the limits re-renders the form with a localized error (422)', async () => {
    const user = Keypair.random().publicKey();
    const { id, session } = await open(user, { lang: 'es' });
    const res = await postForm('/sep24/interactive/deposit/amount', {
      transaction_id: id,
      session,
      lang: 'es',
      amount: '9',
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('El importe debe estar entre 10,00 USD y 5000,00 USD.');
    expect(html).toContain('aria-invalid="true"');
    expect((await getTransaction(api.tdb.db, id))?.status).toBe('incomplete');
  });

  it('customer rejected by KYC: the page says so and the deposit ends in error at once, not at expiry', async () => {
    const user = Keypair.random().publicKey();
    await api.tdb.db
      .insertInto('customers')
      .values({ id: randomUUID(), account: user, memo: '', status: 'REJECTED' } as never)
      .execute();
    const { id, session } = await open(user, {});
    const res = await postForm('/sep24/interactive/deposit/amount', {
      transaction_id: id,
      session,
      lang: 'en',
      amount: '20',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('id="kyc-rejected"');
    const deadline = Date.now() + 30_000;
    let row = await getTransaction(api.tdb.db, id);
    while (row?.status !== 'error' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      row = await getTransaction(api.tdb.db, id);
    }
    expect(row?.status).toBe('error');
    expect(row?.kyc_verified).toBe(false);
  });

  it('customer not yet verified: the KYC form of the tier is shown (labelled fields), and missing fields are reported', async () => {
    const user = Keypair.random().publicKey();
    const { id, session } = await open(user, {}, '');
    const res = await postForm('/sep24/interactive/deposit/amount', {
      transaction_id: id,
      session,
      lang: 'en',
      amount: '20',
    });
    expect(res.status).toBe(303);
    const kycUrl = res.headers.get('location')!;
    expect(kycUrl).toContain('/sep24/interactive/deposit/kyc');
    const form = await api.request(kycUrl);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('id="kyc-form"');
    expect(html).toMatch(/<label for="kyc-[a-z_]+">/);
    const submit = new FormData();
    submit.set('transaction_id', id);
    submit.set('session', session);
    submit.set('lang', 'en');
    const bad = await api.request('/sep24/interactive/deposit/kyc', { method: 'POST', body: submit });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('role="alert"');
    expect((await getTransaction(api.tdb.db, id))?.status).toBe('incomplete');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from '../e2e/stack/wallet.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';

/**
 * Operator guide, "Testing Edge Cases" → KYC Tests: the hosted deposit pages and SEP-12 on the real stack, the
 * sandbox KYC provider deciding by signed webhook (last_name "Moreinfo" → needs more info, else approved).
 */
describe('guide: KYC Tests', () => {
  let s: AnchorStack;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'gkyc', kycDelayMs: 50 });
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Opens a new deposit's hosted page and posts `amount`: where the user lands and what they see. */
  async function depositUpToKyc(jwt: string, amount: string, lang = 'en') {
    const started = await s.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, lang },
    });
    const { url, id } = started.body as { url: string; id: string };
    const opened = await fetch(url);
    const form = postForm(await opened.text())!;
    const posted = await fetch(new URL(form.action, opened.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, amount }).toString(),
    });
    return { id, status: posted.status, url: posted.url, html: await posted.text() };
  }

  /** Posts the hosted KYC form shown in `html` (at `pageUrl`) with `values`. */
  async function submitKycForm(pageUrl: string, html: string, values: Record<string, string>) {
    const form = postForm(html)!;
    const res = await fetch(new URL(form.action, pageUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, ...values }).toString(),
    });
    return { status: res.status, url: res.url, html: await res.text() };
  }

  const customer = async (jwt: string, query = 'type=sep24-deposit') =>
    (await s.call(`/kyc/customer?${query}`, { jwt })).body as {
      id?: string;
      status: string;
      fields?: Record<string, unknown>;
      provided_fields?: Record<string, { status?: string }>;
    };
  const putCustomer = (jwt: string, fields: Record<string, string>) =>
    s.call('/kyc/customer', { jwt, method: 'PUT', body: { type: 'sep24-deposit', ...fields } });
  const waitForCustomer = (jwt: string, status: string) =>
    waitFor(
      async () => ((await customer(jwt)).status === status ? true : undefined),
      30_000,
      `customer ${status}`,
    );

  it('guide: Check that KYC appears with a new wallet SK (S12-05)', async () => {
    const user = await s.walletUser({ verified: false });
    const jwt = await s.token(user);
    const before = await customer(jwt);
    expect(before.status).toBe('NEEDS_INFO');
    expect(Object.keys(before.fields ?? {})).toEqual(
      expect.arrayContaining(['first_name', 'last_name', 'email_address']),
    );
    const page = await depositUpToKyc(jwt, '50');
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/sep24/interactive/deposit/kyc');
    expect(page.html).toContain('id="kyc-form"');
    for (const field of ['first_name', 'last_name', 'email_address']) {
      expect(page.html).toMatch(new RegExp(`<label[^>]*for="kyc-${field}"`));
    }
    // The deposit waits for the user: still incomplete, no bank reference handed out.
    expect((await s.call(`/sep24/transaction?id=${page.id}`, { jwt })).body.transaction).toMatchObject({
      status: 'incomplete',
    });
  });

  it('guide: Check that KYC (and email, if it’s being used to identify users) is not appearing when using a previous wallet SK', async () => {
    const user = await s.walletUser({ verified: false });
    const jwt = await s.token(user);
    const first = await depositUpToKyc(jwt, '40');
    expect(first.html).toContain('id="kyc-form"');
    const submitted = await submitKycForm(first.url, first.html, {
      first_name: 'Ana',
      last_name: 'Lopez',
      email_address: 'ana.lopez@example.com',
    });
    expect(submitted.status).toBe(200);
    await waitForCustomer(jwt, 'ACCEPTED');

    // The same key later, with a new token and a new deposit: straight to the instructions, no KYC, no email.
    const again = await s.token(user);
    const second = await depositUpToKyc(again, '60');
    expect(second.status).toBe(200);
    expect(new URL(second.url).pathname).toBe('/sep24/interactive/deposit/instructions');
    expect(second.html).not.toContain('id="kyc-form"');
    expect(second.html).not.toMatch(/name="email_address"/);
    expect((await customer(again)).status).toBe('ACCEPTED');
    const tx = await s.waitForStatus(again, second.id, ['pending_user_transfer_start'], 30_000);
    expect(tx.kyc_verified).toBe(true);
  });

  it('guide: Check that KYC doesn’t accept incorrectly formatted inputs, and that the error messages are comprehensible (S9-02, S12-12)', async () => {
    const user = await s.walletUser({ verified: false });
    const jwt = await s.token(user);
    const bad = {
      first_name: 'Ana',
      last_name: 'Lopez',
      email_address: 'not-an-email',
      mobile_number: '0612 345 678',
      birth_date: '31/02/1990',
    };
    const en = await putCustomer(jwt, bad);
    expect(en.status).toBe(400);
    expect(en.body.error).toEqual(expect.any(String));
    const fields = en.body.fields as Record<string, string>;
    expect(fields.email_address).toMatch(/^Email address: enter a valid email address/);
    expect(fields.mobile_number).toMatch(/E\.164/);
    expect(fields.birth_date).toMatch(/date/i);
    // Comprehensible: a sentence naming the field, no stack trace, no zod internals.
    for (const message of Object.values(fields)) {
      expect(message.length).toBeGreaterThan(15);
      expect(message).not.toMatch(/ZodError|invalid_string|at \w+ \(|undefined/);
    }
    const es = await putCustomer(jwt, { ...bad, lang: 'es' });
    expect((es.body.fields as Record<string, string>).mobile_number).toMatch(/formato internacional E\.164/);
    // Nothing invalid was stored; the customer still needs to provide the fields.
    expect((await customer(jwt)).status).toBe('NEEDS_INFO');

    // The hosted KYC form: 422, the form again with the typed values and a message next to the field.
    const page = await depositUpToKyc(jwt, '30');
    const refused = await submitKycForm(page.url, page.html, {
      first_name: 'Ana',
      last_name: 'Lopez',
      email_address: 'ana@',
    });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain('id="kyc-form"');
    expect(refused.html).toMatch(/aria-invalid="true"/);
    expect(refused.html).toContain('enter a valid email address');
    expect(refused.html).toContain('value="ana@"');
  });

  it('guide: Check that you can use the same KYC information (email, phone number, username, etc) multiple times', async () => {
    const shared = {
      first_name: 'Sam',
      last_name: 'Shared',
      email_address: 'family@example.com',
      mobile_number: '+34600111222',
    };
    const jwts = [];
    for (let i = 0; i < 2; i++) {
      const jwt = await s.token(await s.walletUser({ verified: false }));
      const r = await putCustomer(jwt, shared);
      expect(r.status, `account ${i}`).toBe(202);
      jwts.push({ jwt, id: r.body.id });
    }
    expect(jwts[0]!.id).not.toBe(jwts[1]!.id);
    for (const { jwt } of jwts) await waitForCustomer(jwt, 'ACCEPTED');
    // And the same account may send the same values again (idempotent, still accepted).
    expect((await putCustomer(jwts[0]!.jwt, shared)).status).toBe(202);
    expect((await customer(jwts[0]!.jwt)).status).toBe('ACCEPTED');
  });

  it('guide: Check that you can go through KYC multiple times with the same Stellar SK (S12-18)', async () => {
    const user = await s.walletUser({ verified: false });
    const jwt = await s.token(user);
    // 1st: the provider asks for more information, the user corrects it, accepted.
    expect(
      (await putCustomer(jwt, { first_name: 'Kim', last_name: 'Moreinfo', email_address: 'kim@example.com' }))
        .status,
    ).toBe(202);
    await waitForCustomer(jwt, 'NEEDS_INFO');
    expect((await putCustomer(jwt, { last_name: 'Park' })).status).toBe(202);
    await waitForCustomer(jwt, 'ACCEPTED');
    // 2nd: the user erases their data (SEP-12 DELETE) and starts over with the same key.
    const erased = await s.call(`/kyc/customer/${user.publicKey()}`, { jwt, method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect((await customer(jwt)).status).toBe('NEEDS_INFO');
    expect(
      (await putCustomer(jwt, { first_name: 'Kim', last_name: 'Park', email_address: 'kim@example.com' }))
        .status,
    ).toBe(202);
    await waitForCustomer(jwt, 'ACCEPTED');
    // 3rd: through the hosted pages, an accepted key goes straight on to the deposit.
    const page = await depositUpToKyc(jwt, '20');
    expect(new URL(page.url).pathname).toBe('/sep24/interactive/deposit/instructions');
  });
});

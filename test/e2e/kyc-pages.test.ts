import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFields } from '../../db/customers.js';
import { type KycHarness, newAccount, PNG, startKycHarness, waitFor } from '../api/sep12.helpers.js';
import { cspViolations, launchChromium, VIEWPORTS, withPage } from '../helpers/browser.js';
import { axeSerious } from '../helpers/pages.js';

/**
 * The hosted KYC page in a real browser (Debian Chromium via playwright-core): prefilled from SEP-9 values,
 * editable, localized errors for a bad date, submit, on a 360-px phone and a desktop, in English and Spanish.
 */

const TEXT = {
  en: {
    shownDate: '12/31/1990',
    badDate: '02/30/1990',
    goodDate: '01/15/1991',
    dateError: 'Date of birth: enter a real date as MM/DD/YYYY, like 12/31/1990.',
    requiredFirstName: 'First name is required.',
    title: 'Verify your identity',
  },
  es: {
    shownDate: '31/12/1990',
    badDate: '30/02/1990',
    goodDate: '15/01/1991',
    dateError: 'Fecha de nacimiento: introduce una fecha real con el formato DD/MM/AAAA, como 31/12/1990.',
    requiredFirstName: 'Nombre: este campo es obligatorio.',
    title: 'Verifica tu identidad',
  },
} as const;

describe('hosted KYC page (browser)', () => {
  let h: KycHarness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startKycHarness({ delayMs: 100 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  for (const viewport of VIEWPORTS) {
    for (const lang of ['en', 'es'] as const) {
      it(`${viewport.name} ${viewport.width}x${viewport.height}, ${lang}: prefilled, editable, localized date error, submits`, async () => {
        const t = TEXT[lang];
        const account = newAccount();
        const token = await h.token(account);
        await withPage(browser, viewport, async (page) => {
          const query = new URLSearchParams({
            token,
            lang,
            amount: '5000',
            first_name: 'Ana',
            last_name: 'García',
            email_address: 'ana@example.com',
            birth_date: '1990-12-31',
          });
          const res = await page.goto(`${h.baseUrl}/kyc/interactive?${query}`);
          expect(res?.status()).toBe(200);
          const headers = res!.headers();
          expect(headers['cache-control']).toBe('no-store');
          expect(headers['referrer-policy']).toBe('no-referrer');
          expect(headers['content-security-policy']).toContain("default-src 'none'");
          await expect(page.locator('h1').textContent()).resolves.toBe(t.title);
          expect(await page.getAttribute('html', 'lang')).toBe(lang);

          // Prefilled from SEP-9 values, dates in the language's format
          expect(await page.inputValue('#kyc-first_name')).toBe('Ana');
          expect(await page.inputValue('#kyc-last_name')).toBe('García');
          expect(await page.inputValue('#kyc-email_address')).toBe('ana@example.com');
          expect(await page.inputValue('#kyc-birth_date')).toBe(t.shownDate);

          // Every visible control has a <label for>
          const unlabeled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
            els
              .filter((el) => !el.id || !document.querySelector(`label[for="${el.id}"]`))
              .map((el) => el.getAttribute('name')),
          );
          expect(unlabeled).toEqual([]);
          // Fits the viewport: no horizontal scrolling
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow).toBeLessThanOrEqual(0);
          expect(await axeSerious(page), 'axe on the form').toEqual([]);

          // Edit prefilled values, type an impossible date, fill the rest
          await page.fill('#kyc-first_name', 'Anita');
          await page.fill('#kyc-birth_date', t.badDate);
          await page.fill('#kyc-address', 'Calle Mayor 1\n28013 Madrid');
          await page.selectOption('#kyc-address_country_code', 'ESP');
          await page.selectOption('#kyc-id_type', 'passport');
          await page.fill('#kyc-id_number', 'X1234567');
          await page.setInputFiles('#kyc-photo_id_front', {
            name: 'front.png',
            mimeType: 'image/png',
            buffer: Buffer.from(PNG),
          });
          await page.setInputFiles('#kyc-photo_proof_residence', {
            name: 'bill.png',
            mimeType: 'image/png',
            buffer: Buffer.from(PNG),
          });
          await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);

          // Localized, field-specific error; what the user typed is kept
          expect(await page.textContent('#kyc-birth_date-error')).toBe(t.dateError);
          expect(await page.getAttribute('#kyc-birth_date', 'aria-invalid')).toBe('true');
          expect(await page.inputValue('#kyc-birth_date')).toBe(t.badDate);
          expect(await page.inputValue('#kyc-first_name')).toBe('Anita');
          expect(await axeSerious(page), 'axe on the refused form').toEqual([]);

          // Empty a required field too: reported in the language
          await page.fill('#kyc-first_name', '');
          await page.fill('#kyc-birth_date', t.goodDate);
          await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
          expect(await page.textContent('#kyc-first_name-error')).toBe(t.requiredFirstName);
          expect(await page.locator('#kyc-birth_date-error').count()).toBe(0);

          await page.fill('#kyc-first_name', 'Anita');
          await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
          const status = await page.getAttribute('#kyc-status', 'data-status');
          expect(['PROCESSING', 'ACCEPTED']).toContain(status);
          expect(await axeSerious(page), 'axe on the status page').toEqual([]);

          // Stored as SEP-9 values: edited name, ISO date, documents
          const customer = await h.tdb.db
            .selectFrom('customers')
            .selectAll()
            .where('account', '=', account)
            .executeTakeFirstOrThrow();
          const fields = Object.fromEntries(
            (await listFields(h.tdb.db, customer.id)).map((f) => [f.name, f]),
          );
          expect(fields.first_name?.value).toBe('Anita');
          expect(fields.birth_date?.value).toBe('1991-01-15');
          expect(fields.photo_id_front?.content_type).toBe('image/png');
          expect(customer.requested_tier).toBe(2);

          // Approved by the sandbox provider → the page now says so and asks nothing
          await waitFor(
            async () =>
              (
                await h.tdb.db
                  .selectFrom('customers')
                  .select('accepted_tier')
                  .where('id', '=', customer.id)
                  .executeTakeFirst()
              )?.accepted_tier === 2,
            20_000,
            'tier 2 accepted',
          );
          await page.goto(
            `${h.baseUrl}/kyc/interactive?${new URLSearchParams({ token, lang, amount: '5000' })}`,
          );
          expect(await page.getAttribute('#kyc-status', 'data-status')).toBe('ACCEPTED');
          expect(await page.locator('form').count()).toBe(0);
          expect(await axeSerious(page), 'axe on the accepted page').toEqual([]);
          expect(await cspViolations(page)).toEqual([]);
        });
      });
    }
  }

  it('after the provider asks for more information, the page marks that field (es) and keeps the rest', async () => {
    const account = newAccount();
    const token = await h.token(account);
    await h.app.request('/kyc/customer', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ first_name: 'Jane', last_name: 'Moreinfo', email_address: 'jane@example.com' }),
    });
    await waitFor(
      async () =>
        (
          await h.tdb.db
            .selectFrom('customer_fields')
            .innerJoin('customers', 'customers.id', 'customer_fields.customer_id')
            .select('customer_fields.status')
            .where('customers.account', '=', account)
            .where('customer_fields.name', '=', 'last_name')
            .executeTakeFirst()
        )?.status === 'REJECTED',
      20_000,
      'last_name rejected',
    );
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    try {
      await page.goto(`${h.baseUrl}/kyc/interactive?${new URLSearchParams({ token, lang: 'es' })}`);
      expect(await page.textContent('#kyc-last_name-error')).toBe(
        'Apellidos: no hemos podido verificarlo. Revísalo y envíalo de nuevo.',
      );
      expect(await page.inputValue('#kyc-last_name')).toBe('');
      expect(await page.inputValue('#kyc-first_name')).toBe('Jane');
      expect(await axeSerious(page), 'axe on the needs-info form').toEqual([]);
      await page.fill('#kyc-last_name', 'Doe');
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(['PROCESSING', 'ACCEPTED']).toContain(await page.getAttribute('#kyc-status', 'data-status'));
    } finally {
      await page.close();
    }
  });

  it('an invalid token shows a localized message and no form', async () => {
    const page = await browser.newPage();
    try {
      const res = await page.goto(`${h.baseUrl}/kyc/interactive?token=nope&lang=es`);
      expect(res?.status()).toBe(401);
      expect(await page.textContent('.alert')).toMatch(/no es válido/);
      expect(await page.locator('form').count()).toBe(0);
      expect(await axeSerious(page), 'axe on the invalid-token page').toEqual([]);
    } finally {
      await page.close();
    }
  });
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTransaction, updateTransaction } from '../../db/transactions.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { launchChromium, withPage } from '../helpers/browser.js';
import { expectGoodPage } from '../helpers/pages.js';

/**
 * The hosted pages as a wallet user meets them (#13), in Chromium at 360 px and 1280 px on the whole anchor:
 * KYC sent back (NEEDS_INFO) is a form, not an endless "checking"; a rejection says why and whom to write to;
 * a finished transaction never says "session expired"; open pages update themselves; Accept-Language and
 * amounts typed with grouping; every state passes axe-core with no serious or critical violation.
 */

const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

describe('hosted pages a user never gets stuck in (#13, browser)', () => {
  let s: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'pages', kycDelayMs: 300 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function startDeposit(jwt: string, body: Record<string, unknown> = {}) {
    const res = await s.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, ...body },
    });
    return res.body as { url: string; id: string };
  }

  async function fillTier1(page: Page, lastName: string) {
    await page.fill('#kyc-first_name', 'Ada');
    await page.fill('#kyc-last_name', lastName);
    await page.fill('#kyc-email_address', 'ada@example.com');
  }

  for (const viewport of VIEWPORTS) {
    it(`${viewport.name} ${viewport.width}px: "1,000" is 1000; KYC sent back → the form with the field and the reason → corrected → the instructions appear by themselves (S24-16..20)`, async () => {
      const user = await s.walletUser({ verified: false });
      const jwt = await s.token(user);
      const { url, id } = await startDeposit(jwt, { lang: 'en' });
      await withPage(browser, viewport, async (page) => {
        await page.goto(url);
        await expectGoodPage(page, s);
        await page.fill('#amount', '1,000');
        await Promise.all([page.waitForURL(/\/kyc\?/), page.click('button[type=submit]')]);
        expect((await getTransaction(s.tdb.db, id))?.amount_expected).toBe('1000.0000000');
        await expectGoodPage(page, s);

        // The sandbox provider sends "Moreinfo" back: the waiting page turns into the correction form itself.
        await fillTier1(page, 'Moreinfo');
        await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
        await page.waitForSelector('#needs-info', { timeout: 30_000 });
        expect(await page.textContent('h1')).toBe('Please correct your details');
        expect(await page.textContent('#kyc-reason')).toContain('The last name does not match the document');
        expect(await page.getAttribute('#kyc-last_name', 'aria-invalid')).toBe('true');
        expect(await page.textContent('#kyc-last_name-error')).toContain('Last name');
        expect(await page.inputValue('#kyc-first_name')).toBe('Ada');
        await expectGoodPage(page, s);

        await page.fill('#kyc-last_name', 'Lovelace');
        await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
        // Approved: the same open page shows the bank transfer without a manual reload.
        await page.waitForSelector('#instructions', { timeout: 30_000 });
        expect(await page.textContent('#amount-in')).toBe('1,000.00 USD');
        expect(await page.textContent('#amount-out')).toMatch(/ USDC$/);
        await expectGoodPage(page, s);
        expect((await getTransaction(s.tdb.db, id))?.status).toBe('pending_user_transfer_start');
      });
    });
  }

  it('KYC rejected: the reason, the support contact and what to do next, never "session expired" (es)', async () => {
    const user = await s.walletUser({ verified: false });
    const jwt = await s.token(user);
    const { url, id } = await startDeposit(jwt, { lang: 'es' });
    await withPage(browser, VIEWPORTS[0], async (page) => {
      await page.goto(url);
      await page.fill('#amount', '50');
      await Promise.all([page.waitForURL(/\/kyc\?/), page.click('button[type=submit]')]);
      await fillTier1(page, 'Reject');
      await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
      await page.waitForSelector('#kyc-rejected', { timeout: 30_000 });
      expect(await page.textContent('h1')).toBe('No hemos podido verificar tu identidad');
      expect(await page.textContent('#kyc-reason')).toContain('could not be verified');
      const next = await page.textContent('#next-step');
      expect(next).toContain(s.config.sep1.documentation.orgSupportEmail);
      expect(next).toContain(id);
      expect(await page.innerText('body')).not.toMatch(/sesión ha caducado|sesión terminó/);
      await expectGoodPage(page, s);
    });
    expect((await getTransaction(s.tdb.db, id))?.status).toBe('error');
  });

  it('a completed deposit reopened after its session closed shows the amounts with their units (pt-BR by Accept-Language)', async () => {
    const user = await s.walletUser({ verified: true });
    const jwt = await s.token(user);
    const { url, id } = await startDeposit(jwt);
    const context = await browser.newContext({ viewport: VIEWPORTS[1], locale: 'pt-BR' });
    try {
      const page = await context.newPage();
      await page.goto(url);
      expect(await page.getAttribute('html', 'lang')).toBe('pt-BR');
      expect(await page.textContent('label[for=amount]')).toBe('Valor a depositar (USD)');
      await page.fill('#amount', '1.234,5');
      await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
      await page.waitForSelector('#instructions', { timeout: 30_000 });
      expect(await page.textContent('#amount-in')).toBe('1.234,50 USD');
      const instructionsUrl = page.url();
      // The deposit completes (as the workflow would after the payment); the flow closes its sessions.
      await updateTransaction(s.tdb.db, id, {
        status: 'completed',
        amount_in: '1234.5',
        amount_fee: '0',
        amount_out: '1234.5',
        stellar_transaction_id: 'a'.repeat(64),
        completed_at: new Date(),
      });
      await s.tdb.db.deleteFrom('interactive_tokens').where('transaction_id', '=', id).execute();
      // The open page updates itself…
      await page.waitForSelector('#completed', { timeout: 30_000 });
      // …and reopening it later tells the same truth.
      await page.goto(instructionsUrl);
      expect(await page.textContent('h1')).toBe('Depósito concluído');
      expect(await page.textContent('#completed')).toContain('1.234,50 USDC');
      expect(await page.textContent('#tx-stellar_transaction_id')).toBe('a'.repeat(64));
      expect(await page.innerText('body')).not.toMatch(/sessão expirou|sessão terminou/i);
      await expectGoodPage(page, s);
    } finally {
      await context.close();
    }
  });

  it('ambiguous and grouped amounts: "2.500" in English is refused with both readings and the focus on the field', async () => {
    const user = await s.walletUser({ verified: true });
    const jwt = await s.token(user);
    const { url } = await startDeposit(jwt, { lang: 'en' });
    await withPage(browser, VIEWPORTS[0], async (page) => {
      await page.goto(url);
      await page.fill('#amount', '2.500');
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      expect(await page.textContent('#amount-error')).toBe(
        '“2.500” could mean 2.5 or 2,500. Type the amount as 2.5 or 2,500 so there is no doubt.',
      );
      expect(await page.getAttribute('#amount', 'aria-invalid')).toBe('true');
      await expectGoodPage(page, s);
    });
  });

  it('/favicon.ico is an image, not a 404; the state poll answers with the state only', async () => {
    const icon = await fetch(`${s.baseUrl}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/png');
    const user = await s.walletUser({ verified: true });
    const { id } = await startDeposit(await s.token(user));
    const state = await fetch(`${s.baseUrl}/sep24/interactive/state?id=${id}`);
    expect(await state.json()).toEqual({ state: 'incomplete:incomplete' });
    expect((await fetch(`${s.baseUrl}/sep24/interactive/state?id=nope`)).status).toBe(404);
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTransaction } from '../../db/transactions.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { bankTransfer } from '../helpers/bank.js';
import { launchChromium, withPage } from '../helpers/browser.js';
import { expectGoodPage } from '../helpers/pages.js';

/**
 * A deposit waiting for the user's trust line (#13 item 10, S24-25): a real deposit to an account without the trust
 * line, paid at the sandbox bank, reaches pending_trust; its hosted page names the asset, the issuer, the deadline
 * the workflow set (user_action_required_by) and how to add the trust line, at 360 and 1280 px, in en and es.
 */
const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

describe('pending_trust: asset, issuer, deadline and how to add the trust line (#13, browser)', () => {
  let s: AnchorStack;
  let browser: Browser;
  let instructionsUrl: string;
  let id: string;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'pgtrust' });
    browser = await launchChromium();
    const user = await s.walletUser({ trustLine: false });
    const jwt = await s.token(user);
    const res = await s.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, lang: 'en' },
    });
    ({ id } = res.body as { id: string });
    const { url } = res.body as { url: string };
    const reference = await withPage(browser, VIEWPORTS[0], async (page) => {
      await page.goto(url);
      await page.fill('#amount', '75');
      await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
      await page.waitForSelector('#instructions', { timeout: 30_000 });
      instructionsUrl = page.url();
      return String(await page.textContent('#bank-reference'));
    });
    await bankTransfer(s.bank.url, reference, '75');
    await s.waitForStatus(jwt, id, ['pending_trust'], 60_000);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  for (const viewport of VIEWPORTS) {
    for (const lang of ['en', 'es'] as const) {
      it(`${viewport.name} ${viewport.width}px, ${lang}: the page says what to add and by when`, async () => {
        const row = await getTransaction(s.tdb.db, id);
        expect(row?.status).toBe('pending_trust');
        expect(row?.user_action_required_by).toBeInstanceOf(Date);
        const code = s.config.stellar.assetCode;
        const issuer = s.config.stellar.issuerAccount;
        await withPage(browser, viewport, async (page) => {
          const u = new URL(instructionsUrl);
          u.searchParams.set('lang', lang);
          await page.goto(u.toString());
          await page.waitForSelector('#trust-line', { timeout: 30_000 });
          expect(await page.textContent('#trust-asset')).toBe(code);
          expect(await page.textContent('#trust-issuer')).toBe(issuer);
          const year = String(row!.user_action_required_by!.getUTCFullYear());
          expect(await page.textContent('#trust-deadline')).toContain(year);
          const how = await page.textContent('#trust-how');
          expect(how).toContain(code);
          expect(how).toContain(issuer);
          expect(how).toMatch(lang === 'en' ? /^In your wallet, add the asset/ : /billetera|cartera/i);
          await expectGoodPage(page, s);
        });
      });
    }
  }
});

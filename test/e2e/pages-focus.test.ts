import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { cspViolations, launchChromium, VIEWPORTS, withPage } from '../helpers/browser.js';
import { axeSerious } from '../helpers/pages.js';

/**
 * After a server-side refusal the focus is on the first field to fix (#13 item 9), on the withdraw form and on
 * the KYC form, by the `autofocus` attribute alone (no script).
 */

describe('focus on the first invalid field after a server-side refusal (#13, browser)', () => {
  let s: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'pgfocus' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function focusedInvalid(page: import('playwright-core').Page) {
    return page.evaluate(() => ({
      active: document.activeElement?.id ?? null,
      firstInvalid: document.querySelector('[aria-invalid="true"]')?.id ?? null,
    }));
  }

  for (const viewport of VIEWPORTS) {
    it(`${viewport.name} ${viewport.width}px, withdraw form: amount fine, account holder missing → the focus is on the holder field`, async () => {
      const user = await s.walletUser({ verified: true, balance: '500' });
      const jwt = await s.token(user);
      const res = await s.call('/sep24/transactions/withdraw/interactive', {
        jwt,
        body: { asset_code: s.config.stellar.assetCode, lang: 'en' },
      });
      const { url } = res.body as { url: string };
      await withPage(browser, viewport, async (page) => {
        await page.goto(url);
        await page.fill('#amount', '10');
        // The browser's own check would stop the post; the server's refusal is what this test is about.
        await page.$eval('form[method=post]', (f) => {
          (f as HTMLFormElement).noValidate = true;
        });
        await Promise.all([page.waitForNavigation(), page.click('form[method=post] button[type=submit]')]);
        expect(await page.getAttribute('#holder', 'aria-invalid')).toBe('true');
        expect(await focusedInvalid(page)).toEqual({ active: 'holder', firstInvalid: 'holder' });
        expect(await cspViolations(page)).toEqual([]);
        expect(await axeSerious(page)).toEqual([]);
      });
    });

    it(`${viewport.name} ${viewport.width}px, KYC form: first name missing → the focus is on the first name field`, async () => {
      const user = await s.walletUser({ verified: false });
      const jwt = await s.token(user);
      const res = await s.call('/sep24/transactions/deposit/interactive', {
        jwt,
        body: { asset_code: s.config.stellar.assetCode, lang: 'en' },
      });
      const { url } = res.body as { url: string };
      await withPage(browser, viewport, async (page) => {
        await page.goto(url);
        await page.fill('#amount', '50');
        await Promise.all([page.waitForURL(/\/kyc\?/), page.click('button[type=submit]')]);
        await page.fill('#kyc-last_name', 'Lovelace');
        await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
        expect(await page.getAttribute('#kyc-first_name', 'aria-invalid')).toBe('true');
        expect(await focusedInvalid(page)).toEqual({
          active: 'kyc-first_name',
          firstInvalid: 'kyc-first_name',
        });
        expect(await cspViolations(page)).toEqual([]);
        expect(await axeSerious(page)).toEqual([]);
      });
    });
  }
});

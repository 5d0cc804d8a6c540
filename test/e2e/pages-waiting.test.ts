import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateTransaction } from '../../db/transactions.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { cspViolations, launchChromium, withPage } from '../helpers/browser.js';
import { axeSerious } from '../helpers/pages.js';

/**
 * A withdrawal waiting for an operator (#13 item 10): the wallet's GET /sep24/transaction carries status_eta and
 * the hosted page says how long it may take, in the user's language, at 360 px and 1280 px. The workflow's part
 * (status_eta = the approval SLA while waiting, null after the decision) is test/workflow/withdrawal.test.ts.
 */

const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

const EXPECTED = {
  en: 'Expected to take about 60 more minutes.',
  es: 'Tardará unos 60 minutos más.',
} as const;

describe('a withdrawal waiting for approval shows its estimate (#13, browser)', () => {
  let s: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'pgwait' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  for (const viewport of VIEWPORTS) {
    for (const lang of ['en', 'es'] as const) {
      it(`${viewport.name} ${viewport.width}px, ${lang}: status_eta on the API and "about 60 minutes" on the page (S24 status_eta)`, async () => {
        const user = await s.walletUser({ verified: true });
        const jwt = await s.token(user);
        const started = await s.call('/sep24/transactions/withdraw/interactive', {
          jwt,
          body: { asset_code: s.config.stellar.assetCode, lang },
        });
        const { id, url: pageUrl } = started.body as { id: string; url: string };
        // What the withdrawal workflow writes when it enters the approval wait (one hour SLA).
        await updateTransaction(s.tdb.db, id, {
          status: 'pending_anchor',
          status_eta: 3600,
          amount_in: '1500',
        });
        const res = await s.call(`/sep24/transaction?id=${id}&lang=${lang}`, { jwt });
        const tx = (res.body as { transaction: { status_eta: number | null } }).transaction;
        expect(tx.status_eta).toBe(3600);
        await withPage(browser, viewport, async (page) => {
          // The wallet's hosted withdrawal page, reopened while the withdrawal waits.
          await page.goto(pageUrl);
          expect(await page.textContent('#status-eta')).toBe(EXPECTED[lang]);
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow).toBeLessThanOrEqual(0);
          expect(await cspViolations(page)).toEqual([]);
          expect(await axeSerious(page)).toEqual([]);
        });
      });
    }
  }
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import { startTestBank } from '../helpers/bank.js';
import { launchChromium, VIEWPORTS, withPage } from '../helpers/browser.js';
import { testConfig } from '../helpers/config.js';

describe('sandbox bank page in a real browser (issue 7 part 4)', () => {
  let bank: SandboxBank;
  let browser: Browser;

  beforeAll(async () => {
    bank = await startTestBank(testConfig(), 'http://127.0.0.1:9/webhooks/bank');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await bank?.close({ dropSchema: true });
  });

  it('a customer fills the form, sends, and sees the transfer listed; a bad amount is explained', async () => {
    const page = await browser.newPage();
    await page.goto(bank.url);
    await page.fill('#amount', '250.75');
    await page.fill('#reference', 'DEPBROWSER01');
    await page.click('button[type=submit]');
    await page.waitForSelector('#sent-id');
    const sentId = await page.textContent('#sent-id');
    expect(sentId).toMatch(/^tr_/);
    const row = page.locator('#transfers tbody tr', { hasText: sentId! });
    await expect(row.textContent()).resolves.toContain('DEPBROWSER01');
    await expect(row.textContent()).resolves.toContain('250.7500000 USD');
    const stored = await bank.store.db
      .selectFrom('transfers')
      .selectAll()
      .where('id', '=', sentId!)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      reference: 'DEPBROWSER01',
      amount: '250.7500000',
      from_account: 'DE89370400440532013000',
    });

    await page.fill('#amount', 'lots');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').textContent()).resolves.toContain('amount');
    await page.close();
  });

  it('the "open the test bank" link prefills reference and amount, escaped; the page fits 360 px (issue 13 item 6)', async () => {
    // What the hosted deposit page links to, plus markup a crafted link could carry.
    const reference = `DEP360"><script>window.__injected=1</script>'&`;
    const query = new URLSearchParams({ reference, amount: '1000.50', currency: 'eur' });
    for (const viewport of VIEWPORTS) {
      await withPage(browser, viewport, async (page) => {
        await page.goto(`${bank.url}/?${query}`);
        await expect(page.inputValue('#reference')).resolves.toBe(reference);
        await expect(page.inputValue('#amount')).resolves.toBe('1000.50');
        await expect(page.inputValue('#currency')).resolves.toBe('EUR');
        await expect(page.evaluate(() => '__injected' in window)).resolves.toBe(false);
        const overflow = () =>
          page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
        const before = await overflow();
        expect(before.scroll, `${viewport.name}: no horizontal scroll`).toBeLessThanOrEqual(before.inner);

        // The prefilled form is usable as it is: one tap books the transfer, and the listed rows still fit.
        await page.click('button[type=submit]');
        await page.waitForSelector('#sent-id');
        const sentId = await page.textContent('#sent-id');
        const row = page.locator('#transfers tbody tr', { hasText: sentId! });
        await expect(row.textContent()).resolves.toContain(reference);
        await expect(row.textContent()).resolves.toContain('1000.5000000 EUR');
        await expect(page.inputValue('#reference')).resolves.toBe('');
        const after = await overflow();
        expect(
          after.scroll,
          `${viewport.name}: no horizontal scroll with transfers listed`,
        ).toBeLessThanOrEqual(after.inner);
      });
    }
  });
});

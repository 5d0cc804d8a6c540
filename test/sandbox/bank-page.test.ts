import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import { startTestBank } from '../helpers/bank.js';
import { launchChromium } from '../helpers/browser.js';
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
});

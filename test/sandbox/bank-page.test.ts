import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import { startTestBank } from '../helpers/bank.js';
import { testConfig } from '../helpers/config.js';

describe('sandbox bank page in a real browser (issue 7 part 4)', () => {
  let bank: SandboxBank;
  let browser: Browser;

  beforeAll(async () => {
    bank = await startTestBank(testConfig(), 'http://127.0.0.1:9/webhooks/bank');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
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

import { mkdirSync } from 'node:fs';
import { Asset, Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { launchChromium, withPage } from '../helpers/browser.js';

/** `npm run screens`: one PNG per main page state of a deposit and a withdrawal, in docs/screens/. */
const OUT = 'docs/screens';
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

describe('screenshots of the hosted pages (#13)', () => {
  let s: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    s = await startAnchorStack({
      prefix: 'screens',
      env: { DISTRIBUTION_SECRET: Keypair.random().secret(), OBSERVER_POLL_INTERVAL_MS: '200' },
      observers: true,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true });

  async function interactive(kind: 'deposit' | 'withdraw', jwt: string) {
    const res = await s.call(`/sep24/transactions/${kind}/interactive`, {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, lang: 'en' },
    });
    expect(res.status).toBe(200);
    return res.body as { url: string; id: string };
  }

  it('deposit: amount → bank instructions → the sandbox bank, prefilled → completed', async () => {
    const user = await s.walletUser({ verified: true });
    const jwt = await s.token(user);
    // An interactive URL opens once: the desktop shot gets a deposit of its own.
    const desktop = await interactive('deposit', jwt);
    await withPage(browser, DESKTOP, async (page) => {
      await page.goto(desktop.url);
      await shot(page, 'deposit-amount-desktop');
    });
    const { url, id } = await interactive('deposit', jwt);
    await withPage(browser, PHONE, async (page) => {
      await page.goto(url);
      await shot(page, 'deposit-amount');
      await page.fill('#amount', '250');
      await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
      await page.waitForSelector('#instructions', { timeout: 30_000 });
      await shot(page, 'deposit-instructions');
      const instructionsUrl = page.url();
      const bankUrl = await page.getAttribute('#sandbox-bank', 'href');
      expect(bankUrl).toBeTruthy();
      await page.goto(bankUrl!);
      await shot(page, 'sandbox-bank');
      await page.click('button[type=submit]');
      await page.waitForSelector('#sent-id');
      await s.waitForStatus(jwt, id, ['completed'], 120_000);
      await page.goto(instructionsUrl);
      await page.waitForSelector('#completed', { timeout: 30_000 });
      await shot(page, 'deposit-completed');
    });
  });

  it('withdrawal: amount and bank account → confirm → pay with the memo → completed', async () => {
    const user = await s.walletUser({ balance: '200' });
    const jwt = await s.token(user);
    const { url, id } = await interactive('withdraw', jwt);
    await withPage(browser, PHONE, async (page) => {
      await page.goto(url);
      await shot(page, 'withdraw-amount');
      await page.fill('#amount', '40');
      await page.fill('#holder', 'Ana García');
      await page.fill('#account', 'ES91 2100 0418 4502 0005 1332');
      await page.click('button[type=submit]');
      await page.waitForSelector('#confirm', { timeout: 30_000 });
      await shot(page, 'withdraw-confirm');
      await page.click('#confirm');
      await page.waitForSelector('#done', { timeout: 30_000 });
      await shot(page, 'withdraw-send-payment');
      const ready = await s.waitForStatus(jwt, id, ['pending_user_transfer_start'], 60_000);
      await s.submit(
        user,
        [
          Operation.payment({
            destination: String(ready.withdraw_anchor_account),
            asset: new Asset(s.config.stellar.assetCode, s.config.stellar.issuerAccount),
            amount: String(ready.amount_in),
          }),
        ],
        Memo.id(String(ready.withdraw_memo)),
      );
      await s.waitForStatus(jwt, id, ['completed'], 120_000);
      await page.goto(String(ready.more_info_url));
      await shot(page, 'withdraw-completed');
    });
  });
});

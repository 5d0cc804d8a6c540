import { mkdirSync } from 'node:fs';
import { Keypair } from '@stellar/stellar-sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depositWorkflowId } from '../../core/ids.js';
import { updateTransaction } from '../../db/transactions.js';
import { adminKey, adminKeysEnv } from '../api/admin-helpers.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { bankTransfer } from '../helpers/bank.js';
import { launchChromium, withPage } from '../helpers/browser.js';
import { endWithdrawalAsRefunded, payWithdrawal } from '../helpers/pages.js';

/**
 * `npm run screens`: one PNG per page state of a deposit and a withdrawal and per console page, in docs/screens/
 * (360 px; a few also at 1280 px). Expired and refunded are set on the row (driving them needs long timers).
 */
const OUT = 'docs/screens';
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

describe('screenshots of the hosted pages (#13)', () => {
  const ops = adminKey('ops', '*');
  let s: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    s = await startAnchorStack({
      prefix: 'screens',
      env: {
        DISTRIBUTION_SECRET: Keypair.random().secret(),
        OBSERVER_POLL_INTERVAL_MS: '200',
        ADMIN_API_KEYS: adminKeysEnv([ops]),
      },
      observers: true,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: `${OUT}/${name}.png`, fullPage: false });

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
      await page.goto(String((await s.waitForStatus(jwt, id, ['completed'])).more_info_url));
      await shot(page, 'deposit-more-info');
    });
    await withPage(browser, DESKTOP, async (page) => {
      await page.goto(String((await s.waitForStatus(jwt, id, ['completed'])).more_info_url));
      await shot(page, 'deposit-more-info-desktop');
    });
  });

  it('deposit of a user not yet verified: the KYC form, sent back (needs info), rejected', async () => {
    for (const [lastName, name, selector] of [
      ['Moreinfo', 'deposit-kyc-needs-info', '#needs-info'],
      ['Reject', 'deposit-kyc-rejected', '#kyc-rejected'],
    ] as const) {
      const user = await s.walletUser({ verified: false });
      const { url } = await interactive('deposit', await s.token(user));
      await withPage(browser, PHONE, async (page) => {
        await page.goto(url);
        await page.fill('#amount', '50');
        await Promise.all([page.waitForURL(/\/kyc\?/), page.click('button[type=submit]')]);
        await page.fill('#kyc-first_name', 'Ada');
        await page.fill('#kyc-last_name', lastName);
        await page.fill('#kyc-email_address', 'ada@example.com');
        if (lastName === 'Moreinfo') await shot(page, 'deposit-kyc-form');
        await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
        await page.waitForSelector(selector, { timeout: 30_000 });
        await shot(page, name);
      });
    }
  });

  it('deposit expired: no transfer arrived in time', async () => {
    const user = await s.walletUser({ verified: true });
    const { url, id } = await interactive('deposit', await s.token(user));
    await withPage(browser, PHONE, async (page) => {
      await page.goto(url);
      await page.fill('#amount', '75');
      await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
      await page.waitForSelector('#instructions', { timeout: 30_000 });
      await s.temporal.client.workflow.getHandle(depositWorkflowId(id)).terminate('screens: expired');
      await updateTransaction(s.tdb.db, id, {
        status: 'expired',
        message: 'No bank transfer arrived in time.',
        user_action_required_by: null,
      });
      await page.reload();
      await page.waitForSelector('#expired');
      await shot(page, 'deposit-expired');
    });
  });

  it('deposit waiting for the trust line: the asset, the issuer, the deadline and how to add it', async () => {
    const user = await s.walletUser({ trustLine: false });
    const jwt = await s.token(user);
    const { url, id } = await interactive('deposit', jwt);
    await withPage(browser, PHONE, async (page) => {
      await page.goto(url);
      await page.fill('#amount', '75');
      await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
      await page.waitForSelector('#instructions', { timeout: 30_000 });
      await bankTransfer(s.bank.url, String(await page.textContent('#bank-reference')), '75');
      await s.waitForStatus(jwt, id, ['pending_trust'], 60_000);
      await page.reload();
      await page.waitForSelector('#trust-line');
      await shot(page, 'deposit-pending-trust');
    });
  });

  it('withdrawal waiting for an operator: the estimate', async () => {
    const user = await s.walletUser({ verified: true });
    const jwt = await s.token(user);
    const { url, id } = await interactive('withdraw', jwt);
    // The row as the withdrawal workflow leaves it while it waits for an approval (test/workflow/withdrawal.test.ts
    // drives that wait for real); the run itself is still on its form, so it writes nothing over it.
    await updateTransaction(s.tdb.db, id, { status: 'pending_anchor', status_eta: 3600, amount_in: '1500' });
    await withPage(browser, PHONE, async (page) => {
      await page.goto(url);
      await page.waitForSelector('#status-eta');
      await shot(page, 'withdraw-waiting-approval');
    });
  });

  it('withdrawal refunded: the refund, not "0.00 received"', async () => {
    const user = await s.walletUser({ balance: '200' });
    const jwt = await s.token(user);
    const { url, id } = await interactive('withdraw', jwt);
    await withPage(browser, PHONE, async (page) => {
      await page.goto(url);
      const formUrl = page.url();
      await page.fill('#amount', '40');
      await page.fill('#holder', 'Ana García');
      await page.fill('#account', 'ES91 2100 0418 4502 0005 1332');
      await page.click('button[type=submit]');
      await page.waitForSelector('#confirm', { timeout: 30_000 });
      await page.click('#confirm');
      await page.waitForSelector('#done', { timeout: 30_000 });
      const ready = await s.waitForStatus(jwt, id, ['pending_user_transfer_start'], 60_000);
      await endWithdrawalAsRefunded(s, id, '40', 'screens: refunded');
      await page.goto(formUrl);
      await page.waitForSelector('#refunded');
      await shot(page, 'withdraw-refunded');
      await page.goto(String(ready.more_info_url));
      await shot(page, 'withdraw-refunded-more-info');
    });
  });

  it('operator console: sign-in, overview, transactions, one transaction, unmatched transfers, top-ups, alerts', async () => {
    const user = await s.walletUser({ verified: true });
    const { id } = await interactive('deposit', await s.token(user));
    for (const [viewport, suffix] of [
      [PHONE, ''],
      [DESKTOP, '-desktop'],
    ] as const) {
      await withPage(browser, viewport, async (page) => {
        await page.goto(`${s.baseUrl}/admin/console/login`);
        await shot(page, `console-sign-in${suffix}`);
        await page.getByLabel('Admin key').fill(ops.raw);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Overview' }).waitFor();
        await shot(page, `console-overview${suffix}`);
        for (const [path, name] of [
          ['/admin/console/transactions', 'console-transactions'],
          [`/admin/console/transactions/${id}`, 'console-transaction'],
          ['/admin/console/bank/unmatched', 'console-unmatched'],
          ['/admin/console/topups', 'console-topups'],
          ['/admin/console/alerts', 'console-alerts'],
        ] as const) {
          await page.goto(`${s.baseUrl}${path}`);
          await shot(page, `${name}${suffix}`);
        }
      });
    }
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
      await payWithdrawal(s, user, ready);
      await s.waitForStatus(jwt, id, ['completed'], 120_000);
      await page.goto(String(ready.more_info_url));
      await shot(page, 'withdraw-completed');
    });
  });
});

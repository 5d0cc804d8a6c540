import { Keypair } from '@stellar/stellar-sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depositWorkflowId } from '../../core/ids.js';
import { updateTransaction } from '../../db/transactions.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { bankTransfer } from '../helpers/bank.js';
import { launchChromium, withPage } from '../helpers/browser.js';
import { endWithdrawalAsRefunded, expectGoodPage, payWithdrawal } from '../helpers/pages.js';

/**
 * Every finished state of a hosted page (#13 "a page for every state"), at 360 px and 1280 px on the whole
 * anchor: what the user reads (the heading, each amount with its own unit, the Stellar transaction, the
 * language), never "session expired" on a finished transaction, and axe-core with no serious or critical
 * violation and no CSP violation on each. Completed deposits and withdrawals are driven for real (sandbox bank,
 * sandbox ledger, payment observer); expired and refunded are set on the row, because driving them would take
 * the 60-second minimum expiry or an operator's rejection with its SLA timer.
 */
const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

const SESSION_EXPIRED = /session (has )?expired|session has ended|start the withdrawal again/i;
const HASH = /^[0-9a-f]{64}$/;

describe('hosted page states at 360 px and 1280 px (#13, browser, axe)', () => {
  let s: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startAnchorStack({
      prefix: 'pstates',
      // Its own receiving account: the observer's workflow id (observer-<account>) is not shared with other files.
      env: { DISTRIBUTION_SECRET: Keypair.random().secret(), OBSERVER_POLL_INTERVAL_MS: '200' },
      observers: true,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function interactive(kind: 'deposit' | 'withdraw', jwt: string) {
    const res = await s.call(`/sep24/transactions/${kind}/interactive`, {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, lang: 'en' },
    });
    expect(res.status).toBe(200);
    return res.body as { url: string; id: string };
  }

  /** Opens `url` at both widths and runs `check` on each, then the checks every hosted page passes. */
  async function atBothWidths(url: string, check: (page: Page) => Promise<void>) {
    for (const viewport of VIEWPORTS) {
      await withPage(browser, viewport, async (page) => {
        await page.goto(url);
        await check(page);
        expect(await page.textContent('body')).not.toMatch(SESSION_EXPIRED);
        await expectGoodPage(page, s);
      });
    }
  }

  /** A deposit of `amount` USD up to its bank instructions: the URL of that page and the reference. */
  async function depositToInstructions(jwt: string, amount: string) {
    const { url, id } = await interactive('deposit', jwt);
    return withPage(browser, VIEWPORTS[0], async (page) => {
      await page.goto(url);
      await page.fill('#amount', amount);
      await Promise.all([page.waitForURL(/\/instructions\?/), page.click('button[type=submit]')]);
      await page.waitForSelector('#instructions', { timeout: 30_000 });
      return {
        id,
        instructionsUrl: page.url(),
        reference: String(await page.textContent('#bank-reference')),
      };
    });
  }

  /** A withdrawal of `amount` USDC through its form and confirmation: the page's URL and the transaction. */
  async function withdrawalToPayment(user: Keypair, jwt: string, amount: string) {
    const { url, id } = await interactive('withdraw', jwt);
    const pageUrl = await withPage(browser, VIEWPORTS[0], async (page) => {
      await page.goto(url);
      const formUrl = page.url(); // /withdraw/form?transaction_id=…&session=…: what the user reopens
      await page.fill('#amount', amount);
      await page.fill('#holder', 'Ana García');
      await page.fill('#account', 'ES91 2100 0418 4502 0005 1332');
      await page.click('button[type=submit]');
      await page.waitForSelector('#confirm', { timeout: 30_000 });
      await page.click('#confirm');
      await page.waitForSelector('#done', { timeout: 30_000 });
      return formUrl;
    });
    const ready = await s.waitForStatus(jwt, id, ['pending_user_transfer_start'], 60_000);
    const pay = () => payWithdrawal(s, user, ready);
    return { id, pageUrl, moreInfoUrl: String(ready.more_info_url), pay };
  }

  it('deposit completed (sandbox bank → ledger): the amounts with their units and the Stellar transaction, on the reopened page and on more_info (S24-27)', async () => {
    const user = await s.walletUser({ verified: true });
    const jwt = await s.token(user);
    const { id, instructionsUrl, reference } = await depositToInstructions(jwt, '250');
    await bankTransfer(s.bank.url, reference, '250');
    const done = await s.waitForStatus(jwt, id, ['completed'], 120_000);
    expect(String(done.stellar_transaction_id)).toMatch(HASH);

    await atBothWidths(instructionsUrl, async (page) => {
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.textContent('h1')).toBe('Deposit completed');
      expect(await page.textContent('#completed')).toMatch(
        /^[\d,.]+ USDC arrived in your Stellar account\.$/,
      );
      expect(await page.textContent('#tx-amount_in')).toBe('250.00 USD');
      expect(await page.textContent('#tx-amount_fee')).toMatch(/^[\d,.]+ USD$/);
      expect(await page.textContent('#tx-amount_out')).toMatch(/^[\d,.]+ USDC$/);
      expect(await page.textContent('#tx-stellar_transaction_id')).toBe(done.stellar_transaction_id);
      expect(await page.$('#instructions')).toBeNull(); // no "send the bank transfer" after completion
    });
    await atBothWidths(String(done.more_info_url), async (page) => {
      expect(await page.textContent('#tx-status')).toBe('Completed');
      expect(await page.textContent('#tx-amount_in')).toBe('250.00 USD');
      expect(await page.textContent('#tx-amount_out')).toMatch(/^[\d,.]+ USDC$/);
      expect(await page.textContent('#tx-stellar_transaction_id')).toBe(done.stellar_transaction_id);
    });
    // The same more_info in Spanish: labels and number format follow the language.
    await atBothWidths(`${String(done.more_info_url)}&lang=es`, async (page) => {
      expect(await page.getAttribute('html', 'lang')).toBe('es');
      expect(await page.textContent('#tx-amount_in')).toBe('250,00 USD');
    });
  });

  it('deposit expired: says it expired, that nothing was charged and to start a new one — never "session expired"', async () => {
    const user = await s.walletUser({ verified: true });
    const jwt = await s.token(user);
    const { id, instructionsUrl } = await depositToInstructions(jwt, '75');
    // Set on the row: the shortest DEPOSIT_EXPIRY_SECONDS is 60 s. The run is ended first so it writes nothing.
    await s.temporal.client.workflow.getHandle(depositWorkflowId(id)).terminate('page-states test: expired');
    await updateTransaction(s.tdb.db, id, {
      status: 'expired',
      message: 'No bank transfer arrived in time.',
      user_action_required_by: null,
    });
    await s.tdb.db.deleteFrom('interactive_tokens').where('transaction_id', '=', id).execute();

    await atBothWidths(instructionsUrl, async (page) => {
      expect(await page.textContent('h1')).toBe('This deposit expired');
      expect(await page.textContent('#expired')).toBe(
        'It was not finished in time, so nothing was charged. If you still want to, start a new one from your wallet.',
      );
      expect(await page.textContent('#tx-message')).toBe('No bank transfer arrived in time.');
      expect(await page.textContent('#tx-amount_in')).toBe('75.00 USD');
      expect(await page.$('#instructions')).toBeNull();
    });
  });

  it('withdrawal completed (ledger payment → observer → bank payout): the reopened page says it is paid and not to start again; more_info has each unit', async () => {
    const user = await s.walletUser({ balance: '200' });
    const jwt = await s.token(user);
    const w = await withdrawalToPayment(user, jwt, '40');
    await w.pay();
    const done = await s.waitForStatus(jwt, w.id, ['completed'], 120_000);

    await atBothWidths(w.pageUrl, async (page) => {
      expect(await page.textContent('h1')).toBe('Withdrawal completed');
      expect(await page.textContent('#completed')).toMatch(
        /^[\d,.]+ USD was paid to your bank account\. This withdrawal is finished: do not start it again\.$/,
      );
      expect(await page.textContent('#tx-amount_in')).toBe('40.00 USDC');
      expect(await page.textContent('#tx-amount_out')).toMatch(/^[\d,.]+ USD$/);
      expect(await page.textContent('#tx-stellar_transaction_id')).toBe(done.stellar_transaction_id);
    });
    await atBothWidths(w.moreInfoUrl, async (page) => {
      expect(await page.textContent('#tx-kind')).toBe('Withdrawal');
      expect(await page.textContent('#tx-status')).toBe('Completed');
      expect(await page.textContent('#tx-amount_in')).toBe('40.00 USDC');
      expect(await page.textContent('#tx-amount_fee')).toMatch(/^[\d,.]+ USDC$/);
      expect(await page.textContent('#tx-amount_out')).toMatch(/^[\d,.]+ USD$/); // the user receives USD
      expect(await page.textContent('#tx-stellar_transaction_id')).toMatch(HASH);
    });
  });

  it('withdrawal refunded: the refund amount in USDC on the page and on more_info, never "Amount received 0.00"', async () => {
    const user = await s.walletUser({ balance: '200' });
    const jwt = await s.token(user);
    const w = await withdrawalToPayment(user, jwt, '40');
    await endWithdrawalAsRefunded(s, w.id, '40', 'page-states test: refund');
    await s.tdb.db.deleteFrom('interactive_tokens').where('transaction_id', '=', w.id).execute();

    await atBothWidths(w.pageUrl, async (page) => {
      expect(await page.textContent('h1')).toBe('Refunded');
      expect(await page.textContent('#refunded')).toBe('We returned 40.00 USDC to you.');
      expect(await page.textContent('#tx-amount_refunded')).toBe('40.00 USDC');
      expect(await page.$('#tx-amount_out')).toBeNull();
    });
    await atBothWidths(w.moreInfoUrl, async (page) => {
      expect(await page.textContent('#tx-status')).toBe('Refunded');
      expect(await page.textContent('#tx-amount_refunded')).toBe('40.00 USDC');
      expect(await page.$('#tx-amount_out')).toBeNull();
      expect(await page.textContent('body')).not.toContain('Amount received');
    });
  });
});

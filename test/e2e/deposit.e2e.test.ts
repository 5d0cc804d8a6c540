import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/index.js';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { launchChromium, VIEWPORTS, withPage } from '../helpers/browser.js';
import type { SandboxHorizonHandle } from '../helpers/horizon.js';

/**
 * A SEP-24 deposit end to end on the real pieces: SEP-10 token, POST deposit over HTTP, Chromium completes the
 * hosted pages (360-px phone and desktop, English and Spanish), the user sends the transfer on the sandbox
 * bank's own page, the bank's signed webhook reaches the anchor, the DepositWorkflow pays on the sandbox ledger,
 * and GET /transaction shows completed with the Stellar transaction id.
 */
const TEXT = {
  en: {
    typed: '120.5',
    label: 'Amount to deposit (USD)',
    title: 'Send the bank transfer',
    shown: '120.50 USD',
  },
  es: {
    typed: '120,5',
    label: 'Importe a depositar (USD)',
    title: 'Haz la transferencia bancaria',
    shown: '120,50 USD',
  },
} as const;

describe('SEP-24 deposit end to end (browser, sandbox bank, sandbox ledger)', () => {
  let stack: AnchorStack;
  let horizon: SandboxHorizonHandle;
  let bank: SandboxBank;
  let config: AppConfig;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startAnchorStack({
      prefix: 'e2edep',
      env: { SEP24_DEPOSIT_FEE_FIXED: '0.5', SEP24_DEPOSIT_FEE_PERCENT: '1' },
    });
    ({ horizon, bank, config, baseUrl } = stack);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** A wallet user with XLM and a trust line to the anchored asset; verified before (tier 2) unless told. */
  const walletUser = (opts: { verified?: boolean } = {}) => stack.walletUser(opts);
  const balanceOf = (account: string) => stack.balanceOf(account);

  /** The user pays at the sandbox bank's own page; the bank notifies the anchor by signed webhook. */
  async function sendAtBankPage(page: Page, amount: string, reference: string) {
    await page.goto(bank.url);
    await page.getByLabel('Amount').fill(amount);
    await page.getByLabel('Reference').fill(reference);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL(/sent=/);
  }

  for (const viewport of VIEWPORTS) {
    for (const lang of ['en', 'es'] as const) {
      it(`${viewport.name} ${viewport.width}px, ${lang}: token → deposit → pages → bank transfer → paid on Stellar → completed`, async () => {
        const t = TEXT[lang];
        const user = await walletUser();
        const jwt = await stack.token(user);

        const res = await fetch(`${baseUrl}/sep24/transactions/deposit/interactive`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ asset_code: config.stellar.assetCode, lang }),
        });
        expect(res.status).toBe(200);
        const { url, id } = (await res.json()) as { url: string; id: string };

        await withPage(browser, viewport, async (page) => {
          const first = await page.goto(url);
          expect(first?.status()).toBe(200);
          expect(await page.getAttribute('html', 'lang')).toBe(lang);
          await page.getByLabel(t.label).fill(t.typed);
          const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
          expect(fits).toBe(true); // no horizontal scrolling at 360 px
          await page.getByRole('button').click();
          await page.getByRole('heading', { name: t.title }).waitFor({ timeout: 30_000 });
          const reference = (await page.locator('#bank-reference').textContent())!.trim();
          expect(reference).toMatch(/^DEP[0-9A-F]{10}$/);
          expect(await page.locator('#amount-in').textContent()).toBe(t.shown);

          await sendAtBankPage(page, '120.5', reference);
        });

        const done = await stack.waitForStatus(jwt, id, ['completed'], 60_000);
        expect(done).toMatchObject({
          id,
          kind: 'deposit',
          status: 'completed',
          amount_in: '120.5',
          amount_fee: '1.705',
          amount_out: '118.795',
          to: user.publicKey(),
          refunded: false,
        });
        expect(done.stellar_transaction_id).toMatch(/^[0-9a-f]{64}$/);
        expect(done.completed_at).toMatch(/Z$/);
        expect(done.external_transaction_id).toBeTruthy();
        expect(await balanceOf(user.publicKey())).toBe('118.7950000');
        const onLedger = await horizon.server
          .transactions()
          .transaction(done.stellar_transaction_id as string)
          .call();
        expect(onLedger.successful).toBe(true);
      });
    }
  }
  it('phone 360px, es, not yet verified: the KYC form appears, the provider accepts by webhook, then instructions → completed', async () => {
    const user = await walletUser({ verified: false });
    const jwt = await stack.token(user);
    const res = await fetch(`${baseUrl}/sep24/transactions/deposit/interactive`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        asset_code: config.stellar.assetCode,
        lang: 'es',
        amount: '50',
        first_name: 'Ana',
      }),
    });
    const { url, id } = (await res.json()) as { url: string; id: string };
    await withPage(browser, { width: 360, height: 740 }, async (page) => {
      await page.goto(url);
      await page.getByLabel(TEXT.es.label).fill('50');
      await page.getByRole('button').click();
      // Tier-1 KYC form of the SEP-12 pages, prefilled with the SEP-9 first_name the wallet sent.
      await page.locator('#kyc-form').waitFor();
      expect(await page.locator('#kyc-first_name').inputValue()).toBe('Ana');
      await page.locator('#kyc-last_name').fill('García');
      await page.locator('#kyc-email_address').fill('ana@example.com');
      await page.getByRole('button').click();
      // PROCESSING first, then the sandbox provider's webhook accepts; the page refreshes into the instructions.
      await page.locator('#bank-reference').waitFor({ timeout: 45_000 });
      const reference = (await page.locator('#bank-reference').textContent())!.trim();
      await sendAtBankPage(page, '50', reference);
    });
    const done = await stack.waitForStatus(jwt, id, ['completed'], 60_000);
    expect(done).toMatchObject({
      status: 'completed',
      kyc_verified: true,
      amount_in: '50',
      amount_out: '49',
    });
    expect(await balanceOf(user.publicKey())).toBe('49.0000000');
  });
});

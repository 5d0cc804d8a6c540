import { Asset, Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../config/index.js';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';
import { cspViolations, launchChromium, VIEWPORTS, withPage } from '../helpers/browser.js';
import type { SandboxHorizonHandle } from '../helpers/horizon.js';
import { axeSerious } from '../helpers/pages.js';

/**
 * A SEP-24 withdrawal end to end on the real pieces: SEP-10 over HTTP, POST withdraw, Chromium completes the
 * hosted pages (360-px phone and desktop, English and Spanish; asking for more than the balance is refused with
 * a clear message), the wallet pays the anchor on the sandbox ledger with the withdraw memo, the payment observer
 * signals the WithdrawalWorkflow, the sandbox bank receives exactly one payout, GET /transaction shows completed.
 */
const TEXT = {
  en: {
    tooMuch: '500',
    typed: '120.5',
    refused: 'Rejected: 500.00 USDC is more than your balance of 200.00 USDC',
    done: 'Almost done',
  },
  es: {
    tooMuch: '500',
    typed: '120,5',
    refused: 'Rechazado: 500,00 USDC supera tu saldo de 200,00 USDC',
    done: 'Casi listo',
  },
} as const;

describe('SEP-24 withdrawal end to end (browser, sandbox ledger, observer, sandbox bank)', () => {
  let stack: AnchorStack;
  let horizon: SandboxHorizonHandle;
  let bank: SandboxBank;
  let config: AppConfig;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startAnchorStack({
      prefix: 'e2ewd',
      env: {
        // Its own receiving account: the observer's workflow id (observer-<account>) is not shared with other files.
        DISTRIBUTION_SECRET: Keypair.random().secret(),
        SEP24_WITHDRAW_FEE_FIXED: '0.5',
        SEP24_WITHDRAW_FEE_PERCENT: '1',
        WITHDRAW_PAYOUT_POLL_SECONDS: '1',
        OBSERVER_POLL_INTERVAL_MS: '200',
      },
      observers: true,
    });
    ({ horizon, bank, config, baseUrl } = stack);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const asset = () => new Asset(config.stellar.assetCode, config.stellar.issuerAccount);
  const submit = (source: Keypair, op: ReturnType<typeof Operation.payment>, memo?: Memo) =>
    stack.submit(source, [op], memo);
  /** A wallet user holding 200 of the anchored asset, verified before (the KYC form has its own tests). */
  const walletUser = () => stack.walletUser({ balance: '200' });

  async function getTransaction(jwt: string, id: string) {
    const res = await fetch(`${baseUrl}/sep24/transaction?id=${id}`, {
      headers: { Authorization: `Bearer ${jwt}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { transaction: Record<string, string | null> }).transaction;
  }

  /** Polls GET /transaction (each answer 200) until the transaction reaches `status`. */
  function statusReached(jwt: string, id: string, status: string, timeoutMs: number) {
    return waitFor(
      async () => {
        const tx = await getTransaction(jwt, id);
        return tx.status === status ? tx : undefined;
      },
      timeoutMs,
      status,
    );
  }

  for (const viewport of VIEWPORTS) {
    for (const lang of ['en', 'es'] as const) {
      it(`${viewport.name} ${viewport.width}px, ${lang}: token → withdraw → pages (balance refused, then ok) → Stellar payment with memo → one bank payout → completed`, async () => {
        const t = TEXT[lang];
        const user = await walletUser();
        const jwt = await stack.token(user);

        const res = await fetch(`${baseUrl}/sep24/transactions/withdraw/interactive`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ asset_code: config.stellar.assetCode, lang }),
        });
        expect(res.status).toBe(200);
        const { id, url } = (await res.json()) as { id: string; url: string };

        await withPage(browser, viewport, async (page) => {
          await page.goto(url);
          await page.fill('#amount', t.tooMuch);
          await page.fill('#holder', 'Ana García');
          await page.fill('#account', 'ES91 2100 0418 4502 0005 1332');
          await page.click('button[type=submit]');
          // The summary at the top links to the field; the refusal itself is shown once, at the amount field.
          await page.locator('#form-error').waitFor({ timeout: 30_000 });
          expect(await page.locator('#amount-error').textContent()).toContain(t.refused);
          // Nothing overflows the phone's width.
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - window.innerWidth,
          );
          expect(overflow).toBeLessThanOrEqual(0);
          expect(await axeSerious(page), 'axe on the refused form').toEqual([]);
          await page.fill('#amount', t.typed);
          await page.click('button[type=submit]');
          await page.waitForSelector('#confirm', { timeout: 30_000 });
          expect(await axeSerious(page), 'axe on the confirmation').toEqual([]);
          await page.click('#confirm');
          await page.waitForSelector('#done', { timeout: 30_000 });
          expect(await axeSerious(page), 'axe on the send-payment page').toEqual([]);
          expect(await cspViolations(page)).toEqual([]);
          // The page's heading says so; its body (#done) says what the wallet will ask for and what the bank pays.
          expect(await page.locator('#page-title').textContent()).toBe(t.done);
          expect(await page.locator('#done').textContent()).toContain('USDC');
        });

        const ready = await statusReached(jwt, id, 'pending_user_transfer_start', 60_000);
        expect(ready.amount_in).toBe('120.5');
        expect(ready.withdraw_anchor_account).toBe(config.stellar.distributionAccount);
        expect(ready.withdraw_memo_type).toBe('id');

        // The wallet pays the anchor with the memo it was given (S24-21, S24-22).
        const paid = await submit(
          user,
          Operation.payment({
            destination: ready.withdraw_anchor_account!,
            asset: asset(),
            amount: ready.amount_in!,
          }),
          Memo.id(ready.withdraw_memo!),
        );

        const done = await statusReached(jwt, id, 'completed', 90_000);
        expect(done.stellar_transaction_id).toBe(paid.hash);
        expect(done.amount_fee).toBe('1.705'); // 0.5 + 1 % of 120.5
        expect(done.amount_out).toBe('118.795');
        expect(done.completed_at).toBeTruthy();

        const payouts = (await bank.store.recentPayouts(200)).filter(
          (p) => p.idempotency_key === `payout-${id}`,
        );
        expect(payouts).toHaveLength(1);
        expect(payouts[0]).toMatchObject({ account_number: 'ES9121000418450200051332', status: 'completed' });
      }, 240_000);
    }
  }

  it('the bank rejects the payout (account closed) → refunded on the sandbox ledger with the refund memo and a refunds object (S24-14, S24-33)', async () => {
    const user = await walletUser();
    const jwt = await stack.token(user);
    const res = await fetch(`${baseUrl}/sep24/transactions/withdraw/interactive`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        asset_code: config.stellar.assetCode,
        refund_memo: 'back-to-you',
        refund_memo_type: 'text',
      }),
    });
    const { id, url } = (await res.json()) as { id: string; url: string };
    await withPage(browser, { width: 1280, height: 800 }, async (page) => {
      await page.goto(url);
      await page.fill('#amount', '40');
      await page.fill('#holder', 'Closed Account');
      // The sandbox bank fails payouts to account numbers ending in 0000 (account closed).
      await page.fill('#account', '12340000');
      await page.click('button[type=submit]');
      await page.waitForSelector('#confirm', { timeout: 30_000 });
      await page.click('#confirm');
      await page.waitForSelector('#done', { timeout: 30_000 });
    });
    const ready = await statusReached(jwt, id, 'pending_user_transfer_start', 60_000);
    await submit(
      user,
      Operation.payment({ destination: ready.withdraw_anchor_account!, asset: asset(), amount: '40' }),
      Memo.id(ready.withdraw_memo!),
    );
    const refunded = (await statusReached(jwt, id, 'refunded', 90_000)) as unknown as {
      refunds: { amount_refunded: string; payments: { id: string; id_type: string; amount: string }[] };
      refunded: boolean;
      amount_out: string;
    };
    expect(refunded.refunded).toBe(true);
    expect(refunded.amount_out).toBe('0');
    expect(refunded.refunds.amount_refunded).toBe('40');
    expect(refunded.refunds.payments).toHaveLength(1);
    const refundTx = await horizon.server.transactions().transaction(refunded.refunds.payments[0]!.id).call();
    expect(refundTx.memo_type).toBe('text');
    expect(refundTx.memo).toBe('back-to-you');
    const account = await horizon.server.loadAccount(user.publicKey());
    const line = account.balances.find((b) => 'asset_code' in b && b.asset_code === config.stellar.assetCode);
    expect(line?.balance).toBe('200.0000000');
  }, 240_000);
});

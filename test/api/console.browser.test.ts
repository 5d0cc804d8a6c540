import { randomBytes } from 'node:crypto';
import { Asset, Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raiseAlert } from '../../db/alerts.js';
import { queueUnmatched, recordBankTransfer } from '../../db/bank.js';
import { insertTopUp } from '../../db/topups.js';
import { recordWithdrawalReview } from '../../db/withdrawals.js';
import { type AnchorStack, bankTransfer, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';
import { launchChromium } from '../helpers/browser.js';
import { adminKey, adminKeysEnv, seedTransaction } from './admin-helpers.js';

/**
 * The operator console in Chromium on the whole anchor (issue 13 item 4): an operator signs in with an admin
 * key, approves a withdrawal held above the threshold and the withdrawal completes (paid by the sandbox bank);
 * attaches an unmatched bank transfer to its deposit and the deposit completes on the sandbox ledger; every
 * action is in the audit trail. axe-core finds no serious or critical violation on any console page at 360 px
 * and 1280 px, and no page scrolls sideways on the phone.
 */
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

describe('operator console in the browser (issue 13)', () => {
  const ops = adminKey('ops', '*');
  let stack: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startAnchorStack({
      prefix: 'cons',
      env: {
        DISTRIBUTION_SECRET: Keypair.random().secret(),
        WITHDRAW_APPROVAL_THRESHOLD: '50',
        WITHDRAW_PAYOUT_POLL_SECONDS: '1',
        OBSERVER_POLL_INTERVAL_MS: '200',
        ADMIN_API_KEYS: adminKeysEnv([ops]),
      },
      observers: true,
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function withPage<T>(viewport: { width: number; height: number }, fn: (page: Page) => Promise<T>) {
    // bypassCSP lets the test inject axe-core into pages whose CSP allows no script at all.
    const context = await browser.newContext({ viewport, bypassCSP: true });
    try {
      return await fn(await context.newPage());
    } finally {
      await context.close();
    }
  }

  async function signIn(page: Page) {
    await page.goto(`${stack.baseUrl}/admin/console`);
    expect(new URL(page.url()).pathname, await page.content()).toBe('/admin/console/login');
    await page.getByLabel('Admin key').fill(ops.raw);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  }

  const audit = (action: string, target?: string) => {
    let q = stack.tdb.db.selectFrom('admin_audit').selectAll().where('action', '=', action);
    if (target) q = q.where('target', '=', target);
    return q.orderBy('id').execute();
  };

  it('approve → the withdrawal completes: held above the threshold, approved with a reason in the console, paid by the bank (1280 px)', async () => {
    const user = await stack.walletUser({ balance: '200' });
    const jwt = await stack.token(user);
    const start = await stack.call('/sep24/transactions/withdraw/interactive', {
      jwt,
      body: { asset_code: stack.config.stellar.assetCode },
    });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    const { id, url } = start.body as { id: string; url: string };
    await withPage(DESKTOP, async (page) => {
      await page.goto(url);
      await page.fill('#amount', '80');
      await page.fill('#holder', 'Ana García');
      await page.fill('#account', 'ES91 2100 0418 4502 0005 1332');
      await page.click('button[type=submit]');
      await page.waitForSelector('#confirm', { timeout: 30_000 });
      await page.click('#confirm');
      await page.waitForSelector('#done', { timeout: 30_000 });
    });
    const ready = await stack.waitForStatus(jwt, id, ['pending_user_transfer_start']);
    await stack.submit(
      user,
      [
        Operation.payment({
          destination: String(ready.withdraw_anchor_account),
          asset: new Asset(stack.config.stellar.assetCode, stack.config.stellar.issuerAccount),
          amount: '80',
        }),
      ],
      Memo.id(String(ready.withdraw_memo)),
    );
    // Under review: the workflow recorded why it waits for an operator.
    await waitFor(
      async () => {
        const row = await stack.tdb.db
          .selectFrom('withdrawal_details')
          .select('approval_reasons')
          .where('transaction_id', '=', id)
          .executeTakeFirst();
        return row?.approval_reasons ? true : undefined;
      },
      90_000,
      'the withdrawal to be held for review',
    );

    await withPage(DESKTOP, async (page) => {
      await signIn(page);
      await page.getByRole('link', { name: id }).click();
      await page.getByRole('heading', { name: `Withdrawal ${id}` }).waitFor();
      expect(await page.locator('#tx-status').textContent()).toBe('pending_anchor');
      expect(await page.locator('main').textContent()).toContain('Held because: amount_above_threshold');
      expect(await page.locator('main').textContent()).toContain('Amount in80 USDC');
      const temporalLink = await page.getByRole('link', { name: `withdraw-${id}` }).getAttribute('href');
      expect(temporalLink).toBe(
        `${stack.config.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(`withdraw-${id}`)}`,
      );
      await page.getByLabel('Reason (recorded in the audit trail)').fill('known customer, invoice checked');
      await page.getByRole('button', { name: 'Approve withdrawal' }).click();
      await page.getByRole('status').filter({ hasText: 'Withdrawal approved' }).waitFor();
    });

    const done = await stack.waitForStatus(jwt, id, ['completed'], 90_000);
    expect(done.amount_in).toBe('80');
    const payouts = (await stack.bank.store.recentPayouts(200)).filter(
      (p) => p.idempotency_key === `payout-${id}`,
    );
    expect(payouts).toHaveLength(1);

    const decisions = await audit('withdrawal.decision', id);
    expect(decisions.map((a) => [a.actor, a.outcome])).toEqual([['ops', 'ok']]);
    expect(decisions[0]!.detail).toEqual({ decision: 'approve', reason: 'known customer, invoice checked' });
    expect((await audit('transactions.view', id)).map((a) => a.actor)).toContain('ops');

    // Reopened, the page shows the truth: completed, who approved, and the status history from Temporal.
    await withPage(DESKTOP, async (page) => {
      await signIn(page);
      await page.goto(`${stack.baseUrl}/admin/console/transactions/${id}`);
      expect(await page.locator('#tx-status').textContent()).toBe('completed');
      expect(await page.locator('#review-decision').textContent()).toContain('Approved by ops');
      const history = await page
        .locator('section[aria-labelledby=history] tbody td:nth-child(2)')
        .allTextContents();
      expect(history).toEqual(expect.arrayContaining(['pending_anchor', 'completed']));
      expect(history.at(-1)).toBe('completed');
    });
  }, 300_000);

  it('attach an unmatched transfer → the deposit completes (360 px)', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const start = await stack.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: stack.config.stellar.assetCode },
    });
    const { id, url } = start.body as { id: string; url: string };
    await withPage(PHONE, async (page) => {
      await page.goto(url);
      await page.getByLabel('Amount to deposit (USD)').fill('30');
      await page.getByRole('button').click();
      await page.locator('#bank-reference').waitFor({ timeout: 30_000 });
    });
    await stack.waitForStatus(jwt, id, ['pending_user_transfer_start']);
    // The user mistyped the reference: the transfer reaches the anchor but funds no deposit.
    const wrongRef = `TYPO${randomBytes(3).toString('hex').toUpperCase()}`;
    await bankTransfer(stack.bank.url, wrongRef, '30');
    const transferId = await waitFor(
      async () => {
        const row = await stack.tdb.db
          .selectFrom('unmatched_bank_transfers as u')
          .innerJoin('bank_transfers as t', 't.id', 'u.bank_transfer_id')
          .select('u.bank_transfer_id')
          .where('t.reference', '=', wrongRef)
          .where('u.state', '=', 'open')
          .executeTakeFirst();
        return row?.bank_transfer_id;
      },
      60_000,
      'the transfer to be queued as unmatched',
    );

    await withPage(PHONE, async (page) => {
      await signIn(page);
      await page.getByRole('link', { name: 'Unmatched transfers' }).click();
      await page.getByRole('heading', { name: 'Unmatched bank transfers' }).waitFor();
      const section = page.locator('section', {
        has: page.getByRole('heading', { name: `Resolve ${transferId}` }),
      });
      expect(await page.locator('table').textContent()).toContain('30 USD');
      await section.getByLabel('Deposit it funds (transaction id)').fill(id);
      await section.getByLabel('Note').fill('reference typo, amount and sender match');
      await section.getByRole('button', { name: 'Attach to deposit' }).click();
      await page.getByRole('status').filter({ hasText: 'Transfer attached' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });

    const done = await stack.waitForStatus(jwt, id, ['completed'], 90_000);
    expect(done.amount_in).toBe('30');
    expect(done.stellar_transaction_id).toMatch(/^[0-9a-f]{64}$/);
    const attached = await audit('bank.unmatched.attach', transferId);
    expect(attached.map((a) => [a.actor, a.outcome])).toEqual([['ops', 'ok']]);
    expect(attached[0]!.detail).toEqual({ transaction_id: id });
  }, 300_000);

  it('every console page: 0 serious/critical axe-core violations and no sideways scrolling, at 360 px and 1280 px', async () => {
    const topUpId = `topup-cons-${randomBytes(4).toString('hex')}`;
    await insertTopUp(stack.tdb.db, {
      id: topUpId,
      workflowId: topUpId,
      status: 'awaiting_signature',
      assetCode: 'USDC',
      amount: '9000',
      balanceBefore: '1000',
      unsignedXdr: `AAAA${'B'.repeat(300)}`,
      txHash: randomBytes(32).toString('hex'),
    });
    await raiseAlert(stack.tdb.db, {
      kind: 'payout_failed',
      transactionId: 'tx-console-axe',
      message: 'the bank refused the payout',
    });
    // Every form on screen: a withdrawal held for review, an open unmatched transfer, a top-up, an alert.
    const held = await seedTransaction(stack.tdb.db, { kind: 'withdrawal', amount_in: '75' });
    await recordWithdrawalReview(stack.tdb.db, held.id, ['amount_above_threshold']);
    const transferId = `bt-axe-${randomBytes(4).toString('hex')}`;
    await recordBankTransfer(
      stack.tdb.db,
      {
        id: transferId,
        reference: 'NOPE',
        amount: '12.5',
        currency: 'USD',
        fromAccount: 'DE89370400440532013000',
        fromName: 'A Sender',
        bookedAt: new Date(),
      },
      'webhook',
    );
    await queueUnmatched(stack.tdb.db, transferId, 'no_match', 'no deposit has this reference');
    const pages = [
      '/admin/console',
      '/admin/console/transactions',
      '/admin/console/transactions?kind=withdrawal&status=completed',
      `/admin/console/transactions/${held.id}`,
      '/admin/console/bank/unmatched',
      '/admin/console/topups',
      '/admin/console/alerts',
      '/admin/console/transactions/no-such-id',
    ];
    for (const viewport of [PHONE, DESKTOP]) {
      await withPage(viewport, async (page) => {
        await page.goto(`${stack.baseUrl}/admin/console/login`);
        await expectAccessible(page, `login @${viewport.width}`);
        await signIn(page);
        for (const path of pages) {
          await page.goto(`${stack.baseUrl}${path}`);
          await expectAccessible(page, `${path} @${viewport.width}`);
        }
      });
    }
  }, 180_000);
});

async function expectAccessible(page: Page, label: string) {
  await page.addScriptTag({ content: axe.source });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, label).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${label} scrolls sideways`).toBeLessThanOrEqual(0);
}

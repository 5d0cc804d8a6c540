import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Asset, type Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { withdrawalWorkflowId } from '../../core/ids.js';
import { updateTransaction } from '../../db/transactions.js';
import type { AnchorStack } from './anchor-stack.js';
import { cspViolations, injectScript } from './browser.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the page as it is now: the serious and critical violations (rule id and where). */
export async function axeSerious(page: Page): Promise<string[]> {
  await injectScript(page, AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} ${JSON.stringify(v.targets)}`);
}

/** What every hosted page must be: the shell (org in the title, logo shown), fits the screen, accessible. */
export async function expectGoodPage(page: Page, s: AnchorStack) {
  expect(await page.title()).toContain(s.config.sep1.documentation.orgName);
  const logo = await page.$eval('header.brand img', (img) => (img as HTMLImageElement).naturalWidth);
  expect(logo).toBeGreaterThan(0); // the CSP admits the configured (http) logo
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(await axeSerious(page)).toEqual([]);
  // #15 row 9: the page's own scripts carry the response's nonce; the policy blocked nothing of ours.
  expect(await cspViolations(page)).toEqual([]);
}

/**
 * Ends a withdrawal as refunded in full by setting its row (a real refund needs an operator's rejection or the
 * approval SLA's timer). The run is terminated first so it writes nothing over the row.
 */
export async function endWithdrawalAsRefunded(s: AnchorStack, id: string, amount: string, why: string) {
  await s.temporal.client.workflow.getHandle(withdrawalWorkflowId(id)).terminate(why);
  await updateTransaction(s.tdb.db, id, {
    status: 'refunded',
    amount_in: amount,
    amount_fee: '0',
    amount_out: '0',
    refunds: {
      amount_refunded: amount,
      amount_fee: '0',
      payments: [{ id: 'b'.repeat(64), id_type: 'stellar', amount, fee: '0' }],
    },
    completed_at: new Date(),
  });
}

/** The wallet's Stellar payment for a withdrawal at pending_user_transfer_start: to its account, with its memo. */
export function payWithdrawal(s: AnchorStack, user: Keypair, ready: Record<string, unknown>) {
  return s.submit(
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
}

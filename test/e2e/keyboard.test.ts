import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTransaction } from '../../db/transactions.js';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { bankTransfer } from '../helpers/bank.js';
import { launchChromium, withPage } from '../helpers/browser.js';
import { expectGoodPage } from '../helpers/pages.js';

/**
 * A whole deposit with the keyboard only (#13 acceptance): no click, no fill — Tab to each control, type, and
 * press Enter or Space, through the amount, the KYC form of a user not yet verified, and the bank instructions,
 * until the open page shows the completed deposit. Each element that takes the focus is on screen and shows a
 * focus indicator its unfocused self does not have.
 */
const PHONE = { width: 360, height: 740 };

interface FocusLook {
  id: string;
  tag: string;
  visible: boolean;
  indicator: string;
  unfocused: string;
}

/** Before any focus moves: each focusable element's outline and shadow as it looks unfocused. */
async function markUnfocused(page: Page) {
  await page.evaluate(() => {
    for (const el of Array.from(
      document.querySelectorAll<HTMLElement>('a[href],button,input,select,textarea'),
    )) {
      const st = getComputedStyle(el);
      el.dataset.unfocused = `${st.outlineStyle} ${st.outlineWidth} ${st.outlineColor} | ${st.boxShadow}`;
    }
  });
}

/** What the focused element looks like now: on screen, and its indicator against its unfocused look. */
function focused(page: Page): Promise<FocusLook> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body)
      return { id: '', tag: 'body', visible: false, indicator: '', unfocused: '' };
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return {
      id: el.id,
      tag: el.tagName.toLowerCase(),
      visible:
        r.width > 0 &&
        r.height > 0 &&
        r.top >= 0 &&
        r.bottom <= window.innerHeight &&
        st.visibility !== 'hidden',
      indicator: `${st.outlineStyle} ${st.outlineWidth} ${st.outlineColor} | ${st.boxShadow}`,
      unfocused: el.dataset.unfocused ?? '',
    };
  });
}

/** Presses Tab until `matches` holds for the focused element, checking every element the focus passes. */
async function tabTo(page: Page, matches: (f: FocusLook) => boolean, what: string): Promise<FocusLook> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.tag === 'body') continue;
    expect(f.visible, `${f.tag}#${f.id} is on screen when focused`).toBe(true);
    expect(f.indicator, `${f.tag}#${f.id} shows a focus indicator`).not.toBe(f.unfocused);
    expect(f.indicator).not.toMatch(/^none /);
    if (matches(f)) return f;
  }
  throw new Error(`Tab never reached ${what}`);
}

const byId = (id: string) => (f: FocusLook) => f.id === id;
const submitButton = (f: FocusLook) => f.tag === 'button';

describe('a whole deposit with the keyboard only (#13)', () => {
  let s: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startAnchorStack({ prefix: 'keyboard', kycDelayMs: 300 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('amount → KYC form → bank instructions → completed, by Tab, typing and Enter/Space (S24-16..20)', async () => {
    const user = await s.walletUser({ verified: false });
    const jwt = await s.token(user);
    const res = await s.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, lang: 'en' },
    });
    const { url, id } = res.body as { url: string; id: string };

    await withPage(browser, PHONE, async (page) => {
      await page.goto(url);
      await markUnfocused(page);
      await tabTo(page, byId('amount'), 'the amount');
      await page.keyboard.type('50');
      await tabTo(page, submitButton, 'the amount form’s button');
      await Promise.all([page.waitForURL(/\/kyc\?/), page.keyboard.press('Enter')]);

      // The user is not verified: the KYC form, field by field.
      await markUnfocused(page);
      const values: Record<string, string> = {
        'kyc-first_name': 'Ada',
        'kyc-last_name': 'Lovelace',
        'kyc-email_address': 'ada@example.com',
      };
      for (const [field, value] of Object.entries(values)) {
        await tabTo(page, byId(field), field);
        await page.keyboard.type(value);
      }
      await tabTo(page, submitButton, 'the KYC form’s button');
      await Promise.all([page.waitForURL(/\/instructions\?/), page.keyboard.press('Space')]);

      // Accepted: the same page shows the bank transfer without a reload.
      await page.waitForSelector('#instructions', { timeout: 30_000 });
      expect(await page.textContent('#amount-in')).toBe('50.00 USD');
      expect((await getTransaction(s.tdb.db, id))?.status).toBe('pending_user_transfer_start');
      await markUnfocused(page);
      // The instructions' own controls (the sandbox bank link) are reachable and show their focus too.
      const link = await tabTo(page, byId('sandbox-bank'), 'the sandbox bank link');
      expect(link.tag).toBe('a');
      await page.keyboard.press('Shift+Tab');
      const back = await focused(page);
      expect(back.id).not.toBe('sandbox-bank');
      await expectGoodPage(page, s);

      // The user sends the transfer from the bank; the open page turns into the completed deposit.
      await bankTransfer(s.bank.url, String(await page.textContent('#bank-reference')), '50');
      await page.waitForSelector('#completed', { timeout: 60_000 });
      expect(await page.textContent('h1')).toBe('Deposit completed');
      expect(await page.textContent('#completed')).toMatch(
        /^[\d,.]+ USDC arrived in your Stellar account\.$/,
      );
      await expectGoodPage(page, s);
    });
    expect((await getTransaction(s.tdb.db, id))?.status).toBe('completed');
  });
});

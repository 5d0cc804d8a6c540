import type { Browser, Frame, Page } from 'playwright-core';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../api/admin/doctor.js';
import { postForm } from '../e2e/stack/wallet.js';
import { type AnchorStack, bankTransfer, launchChromium, startAnchorStack } from '../helpers/anchor-stack.js';
import { serveOnFreePort } from '../helpers/bank.js';

/**
 * Operator guide, "Testing Edge Cases" → General Tests: the hosted pages in Chromium (UX guidelines, tiny and huge
 * screens, inside a wallet's iframe), the issuer's home domain and what it publishes, and both languages.
 */
const SUPPORT = 'help@guide-anchor.example';
const ORG = 'Guide Anchor S.L.';

describe('guide: General Tests', () => {
  let s: AnchorStack;
  let browser: Browser;

  beforeAll(async () => {
    s = await startAnchorStack({
      prefix: 'ggen',
      env: {
        ORG_NAME: ORG,
        ORG_SUPPORT_EMAIL: SUPPORT,
        SEP24_DEPOSIT_MIN_AMOUNT: '5',
        SEP24_DEPOSIT_MAX_AMOUNT: '5000',
        DEPOSIT_AMOUNT_MISMATCH: 'refund',
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  async function startDeposit(lang: 'en' | 'es', extra: Record<string, string> = {}) {
    const user = await s.walletUser();
    const jwt = await s.token(user);
    const r = await s.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, lang, ...extra },
    });
    expect(r.status).toBe(200);
    return { user, jwt, ...(r.body as { id: string; url: string }) };
  }

  /** Width the document scrolls beyond the viewport (0 = no horizontal scrolling). */
  const overflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  /** Every visible form control has an accessible name (a <label for>, aria-label or button text). */
  const unlabelled = (page: Page | Frame) =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea, button'))
        .filter((el) => {
          const e = el as HTMLInputElement;
          if (e.tagName === 'BUTTON') return !(e.textContent ?? '').trim() && !e.getAttribute('aria-label');
          return (e.labels?.length ?? 0) === 0 && !e.getAttribute('aria-label');
        })
        .map((el) => el.outerHTML),
    );

  it('guide: Check to make sure the interactive interface follows our UX Guidelines (S24-19)', async () => {
    const { url, id } = await startDeposit('en');
    // The wallet shows the page in an iframe on its own origin and listens for the postMessage callback.
    const wallet = await serveOnFreePort(
      () =>
        new Response(
          `<!doctype html><html><body><script>window.received=[];addEventListener('message',e=>window.received.push(e.data));</script>` +
            `<iframe id="anchor" style="width:400px;height:800px;border:0" src="${url}&callback=postMessage"></iframe></body></html>`,
          { headers: { 'Content-Type': 'text/html' } },
        ),
    );
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    const page = await context.newPage();
    const pageHeaders: Record<string, string>[] = [];
    page.on('response', (res) => {
      if (
        res.url().startsWith(`${s.baseUrl}/sep24/interactive/`) &&
        res.request().resourceType() === 'document'
      )
        pageHeaders.push(res.headers());
    });
    try {
      await page.goto(wallet.url);
      const frame = page.frameLocator('#anchor');
      const amount = frame.getByLabel('Amount to deposit (USD)');
      await amount.waitFor({ timeout: 30_000 });
      // Branding and a way to reach support on the page itself.
      await expect.poll(() => frame.locator('header').textContent()).toContain(ORG);
      expect(await frame.locator('footer').textContent()).toContain(SUPPORT);
      const anchorFrame = page.frames().find((f) => f.url().startsWith(s.baseUrl))!;
      expect(await anchorFrame.evaluate(() => document.documentElement.lang)).toBe('en');
      expect(await anchorFrame.evaluate(() => document.title)).toContain(ORG);
      expect(
        await anchorFrame.evaluate(
          () => document.querySelector('meta[name=viewport]')?.getAttribute('content') ?? '',
        ),
      ).toContain('width=device-width');
      // Accessible: every control named; a wrong value is announced (role=alert) and tied to the field.
      expect(await anchorFrame.locator('input:not([type=hidden]), button').count()).toBeGreaterThan(0);
      expect(await unlabelled(anchorFrame)).toEqual([]);
      await amount.fill('1');
      await frame.getByRole('button').click();
      const alert = frame.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toBe('The amount must be between 5.00 USD and 5,000.00 USD.');
      expect(await frame.getByLabel('Amount to deposit (USD)').getAttribute('aria-invalid')).toBe('true');
      expect(await frame.getByLabel('Amount to deposit (USD)').getAttribute('aria-describedby')).toContain(
        'amount-error',
      );
      // No second password: the SEP-10 token is the login; the pages never ask for one.
      expect(await frame.locator('input[type=password]').count()).toBe(0);
      await frame.getByLabel('Amount to deposit (USD)').fill('42');
      await frame.getByRole('button').click();
      await frame.locator('#bank-reference').waitFor({ timeout: 30_000 });
      expect(await frame.locator('input[type=password]').count()).toBe(0);
      // The postMessage callback hands the wallet the SEP-24 transaction (S24-19).
      await expect
        .poll(
          async () =>
            (await page.evaluate(() => (window as unknown as { received: unknown[] }).received)) as {
              transaction?: { id: string; status: string };
            }[],
          { timeout: 30_000 },
        )
        .toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              transaction: expect.objectContaining({
                id,
                status: 'pending_user_transfer_start',
                amount_in: '42',
              }),
            }),
          ]),
        );
    } finally {
      await context.close();
      await wallet.close();
    }
    // Embeddable: no X-Frame-Options, frame-ancestors exactly as configured (SEP24_FRAME_ANCESTORS).
    expect(pageHeaders.length).toBeGreaterThanOrEqual(2);
    for (const h of pageHeaders) {
      expect(h['x-frame-options']).toBeUndefined();
      expect(h['content-security-policy']).toContain(`frame-ancestors ${s.config.sep24.frameAncestors}`);
    }
  });

  it('guide: Test the interactive flow usability on really small and really large screens', async () => {
    for (const viewport of [
      { width: 320, height: 568 },
      { width: 2560, height: 1440 },
    ]) {
      const { url } = await startDeposit('en');
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      try {
        await page.goto(url);
        const amount = page.getByLabel('Amount to deposit (USD)');
        const button = page.getByRole('button');
        for (const step of ['amount', 'instructions'] as const) {
          expect(await overflow(page), `${viewport.width}px ${step}: horizontal scroll`).toBeLessThanOrEqual(
            0,
          );
          expect(await unlabelled(page)).toEqual([]);
          // The main column stays readable on a huge screen and fits a tiny one.
          const main = (await page.locator('main').boundingBox())!;
          expect(main.x).toBeGreaterThanOrEqual(0);
          expect(main.x + main.width).toBeLessThanOrEqual(viewport.width);
          if (viewport.width > 1000) expect(main.width).toBeLessThanOrEqual(1200);
          if (step === 'amount') {
            // Controls big enough to tap and fully on screen.
            for (const control of [amount, button]) {
              const box = (await control.boundingBox())!;
              expect(box.height, `${viewport.width}px control height`).toBeGreaterThanOrEqual(40);
              expect(box.x).toBeGreaterThanOrEqual(0);
              expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
            }
            const fontPx = await amount.evaluate((e) => Number.parseFloat(getComputedStyle(e).fontSize));
            expect(fontPx).toBeGreaterThanOrEqual(16); // no zoom-on-focus on phones
            await amount.fill('250.75');
            await button.click();
            await page.locator('#bank-reference').waitFor({ timeout: 30_000 });
          }
        }
        expect(await page.locator('#amount-in').textContent()).toBe('250.75 USD');
        // The long values (reference, bank account) are visible, not cut off.
        const ref = (await page.locator('#bank-reference').boundingBox())!;
        expect(ref.x + ref.width).toBeLessThanOrEqual(viewport.width);
      } finally {
        await context.close();
      }
    }
  });

  it('guide: Check that the issuing account is set up with the correct home domain, and that the website on that home domain has branding visuals, content about your company, clear language telling users how to report problems, and a method for contacting you to seek support (S1-18)', async () => {
    // On the ledger, after scripts/accounts-setup.ts: the issuer points at our home domain.
    const issuer = await s.horizon.server.loadAccount(s.config.stellar.issuerAccount);
    expect(issuer.home_domain).toBe(s.config.api.homeDomain);
    const check = CHECKS.find((c) => c.name === 'issuer.home_domain')!;
    expect(await check.run({ config: s.config, db: s.tdb.db, temporal: s.temporal.client })).toMatchObject({
      ok: true,
    });
    // The website on that domain publishes who we are and how to reach support (SEP-1 [DOCUMENTATION]).
    expect(new URL(s.baseUrl).host).toBe(issuer.home_domain);
    const res = await fetch(`http://${issuer.home_domain}/.well-known/stellar.toml`);
    expect(res.status).toBe(200);
    const toml = parseToml(await res.text()) as { DOCUMENTATION: Record<string, string> };
    const doc = toml.DOCUMENTATION;
    expect(doc.ORG_NAME).toBe(ORG);
    expect(doc.ORG_URL).toMatch(/^https?:\/\//);
    expect(doc.ORG_DESCRIPTION?.length ?? 0).toBeGreaterThan(10);
    expect(doc.ORG_OFFICIAL_EMAIL).toMatch(/^[^@\s]+@[^@\s]+$/);
    expect(doc.ORG_SUPPORT_EMAIL).toBe(SUPPORT);
    // Branding visual: the logo resolves to an image.
    expect(doc.ORG_LOGO).toMatch(/^https?:\/\//);
    const logo = await fetch(doc.ORG_LOGO!);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toMatch(/^image\//);
    // The user-facing pages say how to get help, in plain language, with the support address.
    const { url } = await startDeposit('en');
    const html = await (await fetch(url)).text();
    expect(html).toContain(`Questions? Write to ${SUPPORT}.`);
    expect(html).toContain(ORG);
  });

  it('guide: Test the interface using different locale information, and check for translated content including error messages, responses, date formatting, and number formatting (X-11)', async () => {
    const seen: Record<
      string,
      { html: string; amountPage: string; error: string; tx: Record<string, unknown> }
    > = {};
    for (const lang of ['en', 'es'] as const) {
      const { url, id, jwt } = await startDeposit(lang);
      const opened = await fetch(url);
      const amountPage = await opened.text();
      const form = postForm(amountPage)!;
      const post = (amount: string) =>
        fetch(new URL(form.action, opened.url), {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...form.fields, amount }).toString(),
        });
      const refused = await post('1');
      expect(refused.status).toBe(422);
      const error = /id="amount-error"[^>]*>([^<]*)</.exec(await refused.text())![1]!;
      // Typed the way the language writes it: 1234.5 vs 1234,5.
      const ok = await post(lang === 'es' ? '1234,5' : '1234.5');
      expect(ok.status).toBe(200);
      const html = await ok.text();
      const tx = await s.waitForStatus(jwt, id, ['pending_user_transfer_start'], 30_000);
      seen[lang] = { html, amountPage, error, tx };
      // A response in the language: the transfer differs from the announced amount, so it is refunded with a message.
      const reference = /id="bank-reference"[^>]*>\s*([^<\s]+)/.exec(html)![1]!;
      await bankTransfer(s.bank.url, reference, '1300.25');
      const refunded = await s.waitForStatus(jwt, id, ['refunded', 'error'], 60_000);
      seen[lang]!.tx = { ...tx, message: refunded.message };
    }
    const en = seen.en!;
    const es = seen.es!;
    expect(en.amountPage).toContain('<html lang="en"');
    expect(es.amountPage).toContain('<html lang="es"');
    expect(en.amountPage).toContain('Amount to deposit (USD)');
    expect(es.amountPage).toContain('Importe a depositar (USD)');
    expect(es.amountPage).toContain('¿Preguntas? Escríbenos a');
    // Error messages, with numbers in each language's format.
    expect(en.error).toBe('The amount must be between 5.00 USD and 5,000.00 USD.');
    expect(es.error).toMatch(/^El importe debe estar entre 5,00\sUSD y 5\.?000,00\sUSD\.$/);
    // Number formatting: decimal point vs decimal comma.
    expect(en.html).toMatch(/id="amount-in"[^>]*>1,234\.50 USD</);
    expect(es.html).toMatch(/id="amount-in"[^>]*>1\.?234,50 USD</);
    // Date formatting: the deadline in each language's long form, for the same UTC day.
    for (const [lang, page, pattern] of [
      ['en', en, /^[A-Z][a-z]+ (\d{1,2}), (\d{4})/],
      ['es', es, /^(\d{1,2}) de [a-záéíóúñ]+ de (\d{4})/],
    ] as const) {
      const shown = /id="expires"[^>]*>([^<]*)</.exec(page.html)![1]!;
      const m = pattern.exec(shown);
      expect(m, `${lang}: ${shown}`).not.toBeNull();
      const due = new Date(String(page.tx.user_action_required_by));
      expect(Number(m![1])).toBe(due.getUTCDate());
      expect(Number(m![2])).toBe(due.getUTCFullYear());
      expect(shown).toMatch(/UTC$/);
    }
    expect(/id="expires"[^>]*>([^<]*)</.exec(es.html)![1]).not.toMatch(/[A-Z][a-z]+ \d/);
    // Responses: the SEP-24 transaction `message` in the user's language, with its numbers formatted.
    expect(en.tx.message).toMatch(
      /^The transfer of 1,300\.25 differs from the announced 1,234\.5; it is refunded\.$/,
    );
    expect(es.tx.message).toMatch(
      /^La transferencia de 1\.?300,25 no coincide con el importe anunciado de 1\.?234,5; se devuelve\.$/,
    );
    // SEP-12 answers in the language asked for.
    const jwt = await s.token(await s.walletUser({ verified: false }));
    const kycEs = await s.call('/kyc/customer?type=sep24-deposit&lang=es', { jwt });
    const fields = kycEs.body.fields as Record<string, { description: string }>;
    expect(fields.first_name?.description).toMatch(/Nombre/);
    const kycBad = await s.call('/kyc/customer', {
      jwt,
      method: 'PUT',
      body: { type: 'sep24-deposit', lang: 'es', email_address: 'x@' },
    });
    expect((kycBad.body.fields as Record<string, string>).email_address).toMatch(/^Correo electrónico/);
  });
});

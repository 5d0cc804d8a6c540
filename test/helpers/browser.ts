import { type Browser, chromium, type Page } from 'playwright-core';

/** The flags every browser test runs Chromium with: no sandbox (containers), no GPU, nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
] as const;

/** The screens hosted pages are checked at: a small phone and a desktop. */
export const VIEWPORTS = [
  { name: 'phone', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

/** Chromium from the system (never downloaded), headless, as every browser test launches it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS] });
}

/** Runs `fn` on a fresh page in its own context at `viewport`, closing the context whatever happens. */
export async function withPage<T>(
  browser: Browser,
  viewport: { width: number; height: number },
  fn: (page: Page) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
  try {
    const page = await context.newPage();
    await page.addInitScript(RECORD_CSP_VIOLATIONS);
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** Installed before any page script (through DevTools, so no CSP applies to it): keeps every CSP violation. */
const RECORD_CSP_VIOLATIONS = `(() => {
  const seen = (window.__cspViolations = []);
  document.addEventListener('securitypolicyviolation', (e) =>
    seen.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));
})();`;

/** The CSP violations the page has had since it loaded (a page script the policy blocked shows up here). */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
}

/**
 * Puts a library (axe-core) into the page through DevTools: a `<script>` tag would itself be blocked by a CSP
 * that admits only the page's own nonce, which is the point of that CSP.
 */
export async function injectScript(page: Page, source: string): Promise<void> {
  await page.evaluate(source);
}

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
  { name: 'desktop', width: 1440, height: 900 },
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
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

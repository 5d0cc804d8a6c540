import type { Context } from 'hono';

/**
 * What every hosted page sends: its own Content-Security-Policy, and the page (token, personal data) never
 * cached, never leaked by Referer, never content-sniffed.
 */
export function setPageSecurityHeaders(c: Context, csp: string): void {
  c.header('Content-Security-Policy', csp);
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Content-Type-Options', 'nosniff');
}

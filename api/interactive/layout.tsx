import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import type { AppConfig } from '../../config/index.js';
import { resolveLang } from '../../core/i18n/index.js';
import { pageText } from '../../core/i18n/pages.js';
import { sep24Text } from '../../core/i18n/sep24.js';
import { documentation } from '../sep1/index.js';
import { setPageSecurityHeaders } from './headers.js';
import { PAGE_CSS } from './style.js';

/**
 * THE shell of every hosted page (deposit, withdrawal, KYC, more_info, state and error pages): one stylesheet,
 * branding and support contact from the toml [DOCUMENTATION], the org name in every title, a favicon, one
 * column at 360 px and a wider card on desktop, no frame-busting (wallets embed us in popups and iframes).
 *
 * `poll`: the page shows a transaction that is still moving. It asks GET /sep24/interactive/state (a few bytes of
 * JSON, no personal data) every few seconds and reloads itself when the state differs from the one it shows.
 */
export const HostedPage: FC<{
  config: AppConfig;
  lang: string;
  title: string;
  children?: unknown;
  script?: string;
  poll?: { transactionId: string; state: string };
  /** A heading other than the title (the title stays `<title> · org`). */
  heading?: string;
}> = (props) => {
  const lang = resolveLang(props.lang);
  const { t } = sep24Text(lang);
  const doc = documentation(props.config);
  const poll = props.poll;
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · ${doc.ORG_NAME}`}</title>
        <link rel="icon" href="/favicon.ico" />
        <style nonce={pageNonce()}>{raw(PAGE_CSS)}</style>
      </head>
      <body>
        <header class="brand">
          {doc.ORG_LOGO ? <img src={doc.ORG_LOGO} alt="" width="40" height="40" /> : null}
          <span>{doc.ORG_NAME}</span>
        </header>
        <main>
          <h1 id="page-title">{props.heading ?? props.title}</h1>
          {props.children as never}
          {poll ? (
            <p class="hint" id="live-hint">
              {pageText(lang).t('page.updates_itself')}
            </p>
          ) : null}
        </main>
        <footer>{doc.ORG_SUPPORT_EMAIL ? t('sep24.support', { email: doc.ORG_SUPPORT_EMAIL }) : null}</footer>
        {poll ? <script nonce={pageNonce()}>{raw(pollScript(poll))}</script> : null}
        {props.script ? <script nonce={pageNonce()}>{raw(props.script)}</script> : null}
      </body>
    </html>
  );
};

/** Where the state of a transaction is polled (api/interactive/state.ts). */
export const STATE_PATH = '/sep24/interactive/state';

function pollScript(poll: { transactionId: string; state: string }): string {
  const url = scriptJson(`${STATE_PATH}?id=${encodeURIComponent(poll.transactionId)}`);
  const shown = scriptJson(poll.state);
  return `(function(){var u=${url},s=${shown},d=3000;function tick(){fetch(u,{cache:'no-store'}).then(function(r){return r.ok?r.json():null}).then(function(b){if(b&&b.state&&b.state!==s){location.reload();return}setTimeout(tick,d)},function(){d=Math.min(d*2,30000);setTimeout(tick,d)})}setTimeout(tick,d)})();`;
}

/** The origin of the configured logo, so the CSP admits it in every profile (http in the sandbox). */
function logoSource(config: AppConfig): string {
  try {
    const origin = new URL(documentation(config).ORG_LOGO).origin;
    return origin === 'null' ? '' : ` ${origin}`;
  } catch {
    return '';
  }
}

/**
 * THE Content-Security-Policy of the hosted pages: nothing by default; images from us and the logo's origin, the
 * state poll to us, the stylesheet and scripts only with this response's nonce (no `'unsafe-inline'`: an
 * injected `<script>`, `on…=` or `style=` attribute does nothing), forms post only to us,
 * embeddable only by the configured frame ancestors; and never cached.
 */
export function hostedPageCsp(config: AppConfig, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src 'self' data:${logoSource(config)}`,
    "connect-src 'self'",
    "form-action 'self'",
    `frame-ancestors ${config.sep24.frameAncestors}`,
    "base-uri 'none'",
  ].join('; ');
}

/** The nonce of the response being rendered, set by hostedPageHeaders() around its handler. */
const nonceScope = new AsyncLocalStorage<string>();

/**
 * The nonce the page's own `<script>` and `<style>` elements carry. A page rendered outside hostedPageHeaders() has no CSP of
 * ours to match, so that is a wiring mistake: it fails loudly rather than ship a script the browser would block.
 */
function pageNonce(): string {
  const nonce = nonceScope.getStore();
  if (nonce === undefined) throw new Error('a hosted page was rendered outside hostedPageHeaders()');
  return nonce;
}

/**
 * Middleware of every router that renders hosted pages: a fresh 128-bit nonce per response, in scope while the
 * handler renders, then the security headers with the CSP naming that nonce.
 */
export function hostedPageHeaders(config: AppConfig): MiddlewareHandler {
  return async (c, next) => {
    // Nested (a router mounted inside another that has it too): the outer scope's nonce, so both agree.
    const outer = nonceScope.getStore();
    const nonce = outer ?? randomBytes(16).toString('base64');
    if (outer === undefined) await nonceScope.run(nonce, next);
    else await next();
    setHostedPageHeaders(c, config, nonce);
  };
}

/** Security headers of the hosted pages: embeddable only by the configured frame ancestors, never cached. */
function setHostedPageHeaders(c: Context, config: AppConfig, nonce: string): void {
  setPageSecurityHeaders(c, hostedPageCsp(config, nonce));
}

/** JSON safe to embed in an inline <script> (no `</script>` breakout). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

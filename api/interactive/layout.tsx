import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import type { AppConfig } from '../../config/index.js';
import { resolveLang } from '../../core/i18n/index.js';
import { sep24Text } from '../../core/i18n/sep24.js';
import { documentation } from '../sep1/index.js';
import { setPageSecurityHeaders } from './headers.js';
import { KYC_FORM_CSS } from './kyc/index.js';

/**
 * The frame of every hosted SEP-24 page: branding and support contact from the toml [DOCUMENTATION], one
 * column at 360 px and a wider card on desktop, no frame-busting (wallets embed us in popups and iframes).
 */
const EXTRA_CSS = `
header.brand{display:flex;align-items:center;gap:.75rem;max-width:40rem;margin:0 auto;padding:1rem 1rem 0}
header.brand img{width:40px;height:40px;border-radius:.5rem}
header.brand span{font-weight:700}
footer{max-width:40rem;margin:0 auto;padding:1rem;color:#5b6475;font-size:.875rem}
dl.summary{display:grid;grid-template-columns:1fr;gap:.25rem 1rem;margin:0 0 1rem}
dl.summary dt{color:#5b6475;font-size:.875rem}
dl.summary dd{margin:0 0 .5rem;font-weight:600;overflow-wrap:anywhere}
.reference{font:700 1.25rem/1.4 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.05em}
a.button{display:block;text-align:center;padding:.8rem;border-radius:.5rem;background:#eef4ff;color:#1b4fbf;font-weight:600;text-decoration:none;margin-top:1rem}
@media (min-width:48rem){dl.summary{grid-template-columns:max-content 1fr}dl.summary dd{margin:0}}
`;

export const HostedPage: FC<{
  config: AppConfig;
  lang: string;
  title: string;
  children?: unknown;
  script?: string;
  refreshSeconds?: number;
}> = (props) => {
  const lang = resolveLang(props.lang);
  const { t } = sep24Text(lang);
  const doc = documentation(props.config);
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        {props.refreshSeconds ? <meta http-equiv="refresh" content={String(props.refreshSeconds)} /> : null}
        <title>{`${props.title} · ${doc.ORG_NAME}`}</title>
        <style>{raw(KYC_FORM_CSS + EXTRA_CSS)}</style>
      </head>
      <body>
        <header class="brand">
          {doc.ORG_LOGO ? <img src={doc.ORG_LOGO} alt="" /> : null}
          <span>{doc.ORG_NAME}</span>
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.children as never}
        </main>
        <footer>{doc.ORG_SUPPORT_EMAIL ? t('sep24.support', { email: doc.ORG_SUPPORT_EMAIL }) : null}</footer>
        {props.script ? <script>{raw(props.script)}</script> : null}
      </body>
    </html>
  );
};

/** Security headers of the hosted pages: embeddable only by the configured frame ancestors, never cached. */
export function setHostedPageHeaders(c: Context, config: AppConfig): void {
  setPageSecurityHeaders(
    c,
    [
      "default-src 'self'",
      "style-src 'unsafe-inline'",
      "script-src 'unsafe-inline'",
      'img-src * data:',
      `frame-ancestors ${config.sep24.frameAncestors}`,
      "base-uri 'none'",
    ].join('; '),
  );
}

/** JSON safe to embed in an inline <script> (no `</script>` breakout). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

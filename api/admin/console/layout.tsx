import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import type { AdminScope } from '../../../config/admin-keys.js';
import type { AppConfig } from '../../../config/index.js';
import { setPageSecurityHeaders } from '../../interactive/headers.js';
import { PAGE_CSS } from '../../interactive/style.js';
import { documentation } from '../../sep1/index.js';
import { CONSOLE_PATH } from './session.js';

/**
 * The console's frame: the hosted pages' base stylesheet (forms, cards, focus rings) plus tables and a navigation
 * bar; one column at 360 px, a wide layout on desktop. No script at all: every action is a plain form post.
 */
const CONSOLE_CSS = `
main{max-width:72rem}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;max-width:72rem;margin:0 auto;padding:.75rem 1rem;border-bottom:1px solid #d5dae3;background:#fff}
.top .org{font-weight:700;margin-right:auto}
.top nav ul{display:flex;flex-wrap:wrap;gap:.25rem .75rem;list-style:none;margin:0;padding:0}
.top nav a{color:#1b4fbf;font-weight:600}
.top nav a[aria-current=page]{color:#1d2433;text-decoration:none}
.top form{margin:0}
.top form button,.inline button{width:auto;padding:.4rem .9rem}
.who{color:#4a5366;font-size:.875rem}
.table-wrap{overflow-x:auto;background:#fff;border-radius:.75rem;box-shadow:0 1px 3px rgba(0,0,0,.08);margin:0 0 1.5rem}
table{border-collapse:collapse;width:100%;font-size:.9375rem}
caption{text-align:left;font-weight:700;padding:.75rem}
th,td{text-align:left;padding:.5rem .75rem;border-top:1px solid #e4e8ef;vertical-align:top}
th{background:#f8f9fb;font-weight:600}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.875rem;overflow-wrap:anywhere}
textarea.xdr{min-height:6rem;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8125rem}
.filters{display:grid;grid-template-columns:1fr;gap:0 1rem;margin:0 0 1rem}
.actions{display:grid;grid-template-columns:1fr;gap:1rem;margin:0 0 1.5rem}
.card h2{font-size:1.125rem;margin:0 0 .75rem}
section{margin:0 0 1.5rem}
h2{font-size:1.25rem}
dl.facts{display:grid;grid-template-columns:1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{color:#4a5366;font-size:.875rem}
dl.facts dd{margin:0 0 .5rem;font-weight:600;overflow-wrap:anywhere}
button.danger{background:#b3141b}
a{color:#1b4fbf}
@media (min-width:48rem){.filters{grid-template-columns:repeat(3,1fr)}.actions{grid-template-columns:1fr 1fr}dl.facts{grid-template-columns:max-content 1fr}dl.facts dd{margin:0}}
`;

export interface ConsoleUser {
  name: string;
  scopes: ReadonlySet<AdminScope>;
  csrf: string;
}

const NAV: { href: string; label: string; scope: AdminScope }[] = [
  { href: '/', label: 'Overview', scope: 'transactions:read' },
  { href: '/transactions', label: 'Transactions', scope: 'transactions:read' },
  { href: '/bank/unmatched', label: 'Unmatched transfers', scope: 'transactions:read' },
  { href: '/topups', label: 'Top-ups', scope: 'topups:read' },
  { href: '/alerts', label: 'Alerts', scope: 'ops:read' },
];

export const consoleUrl = (path: string) => (path === '/' ? CONSOLE_PATH : `${CONSOLE_PATH}${path}`);

/** The hidden CSRF field every console form carries. */
export const Csrf: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

export const ConsolePage: FC<{
  config: AppConfig;
  title: string;
  user?: ConsoleUser;
  current?: string;
  notice?: string | undefined;
  children?: unknown;
}> = (props) => {
  const doc = documentation(props.config);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · Operator console · ${doc.ORG_NAME}`}</title>
        <style>{raw(PAGE_CSS + CONSOLE_CSS)}</style>
      </head>
      <body>
        <header class="top">
          <span class="org">{doc.ORG_NAME} · operator console</span>
          {props.user ? (
            <>
              <nav aria-label="Console">
                <ul>
                  {NAV.filter((n) => props.user!.scopes.has(n.scope)).map((n) => (
                    <li>
                      <a
                        href={consoleUrl(n.href)}
                        aria-current={props.current === n.href ? 'page' : undefined}
                      >
                        {n.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <span class="who">Signed in as {props.user.name}</span>
              <form method="post" action={consoleUrl('/logout')}>
                <Csrf token={props.user.csrf} />
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            </>
          ) : null}
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.notice ? (
            <p class="notice" role="status">
              {props.notice}
            </p>
          ) : null}
          {props.children as never}
        </main>
      </body>
    </html>
  );
};

/** No script, no framing, no caching: the console shows money and personal identifiers. */
export function setConsoleHeaders(c: Context): void {
  setPageSecurityHeaders(
    c,
    [
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      "img-src 'self' data:",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
  );
  c.header('X-Frame-Options', 'DENY');
}

import { expect } from 'vitest';

/**
 * An operator's browser without the browser: keeps the console's cookies, reads each page's CSRF token and posts
 * its forms as a browser would (urlencoded, redirects not followed so tests see the 303s).
 */
export type Requester = (path: string, init?: RequestInit) => Response | Promise<Response>;

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  constructor(private readonly request: Requester) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(path: string): Promise<{ status: number; html: string; res: Response }> {
    const res = await this.request(path, { headers: this.cookieHeader(), redirect: 'manual' });
    this.remember(res);
    return { status: res.status, html: await res.text(), res };
  }

  async post(
    path: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; html: string; res: Response }> {
    const res = await this.request(path, {
      method: 'POST',
      headers: { ...this.cookieHeader(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    this.remember(res);
    return { status: res.status, html: await res.text(), res };
  }

  /** A POST with this session's cookie and a body and Content-Type of the caller's choosing (broken forms). */
  async postRaw(
    path: string,
    contentType: string,
    body: string,
  ): Promise<{ status: number; html: string; res: Response }> {
    const res = await this.request(path, {
      method: 'POST',
      headers: { ...this.cookieHeader(), 'Content-Type': contentType },
      body,
      redirect: 'manual',
    });
    this.remember(res);
    return { status: res.status, html: await res.text(), res };
  }

  /** Signs in with `key` through the sign-in form; returns the CSRF token of the session's pages. */
  async signIn(key: string): Promise<string> {
    const login = await this.get('/admin/console/login');
    expect(login.status).toBe(200);
    const res = await this.post('/admin/console/login', { key, _csrf: csrfOf(login.html) });
    expect(res.status, res.html).toBe(303);
    expect(res.res.headers.get('location')).toBe('/admin/console');
    const home = await this.get('/admin/console/transactions');
    return csrfOf(home.html);
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no CSRF field in:\n${html.slice(0, 500)}`);
  return m[1]!;
}

/** The visible text of a page (tags dropped, entities of the few characters we print decoded). */
export function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

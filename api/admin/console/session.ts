import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AdminKey } from '../../../config/admin-keys.js';
import type { AppConfig } from '../../../config/index.js';
import {
  type AdminSessionRow,
  deleteAdminSession,
  insertAdminSession,
  touchAdminSession,
} from '../../../db/admin-sessions.js';
import type { Db } from '../../../db/index.js';
import type { AdminEnv } from '../auth.js';

/**
 * Console sessions live in Postgres (db/admin-sessions.ts), not in a signed cookie: signing out and the idle
 * timeout are enforced by the server (a copied cookie dies with its row), and removing a key from ADMIN_API_KEYS
 * ends its sessions at the next request. The cookie holds 32 random bytes; the table only their SHA-256. Each
 * session has its own CSRF token, required in every form the console posts.
 */
export const CONSOLE_PATH = '/admin/console';
const SESSION_COOKIE = 'anchor_console';
/** Double-submit token of the sign-in form (there is no session yet to hold it). */
const SIGN_IN_COOKIE = 'anchor_console_signin';

export type ConsoleEnv = {
  Variables: AdminEnv['Variables'] & { session: AdminSessionRow };
};

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const token = () => randomBytes(32).toString('base64url');

export function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieOptions(config: AppConfig, maxAgeSeconds?: number) {
  return {
    path: CONSOLE_PATH,
    httpOnly: true,
    sameSite: 'Strict' as const,
    // Plain http only where the sandbox runs on localhost; everywhere else the cookie never leaves TLS.
    secure: config.profile !== 'sandbox',
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** The sign-in form's CSRF token: a fresh one in a short-lived cookie, echoed by the form. */
export function issueSignInToken(c: Context, config: AppConfig): string {
  const value = token();
  setCookie(c, SIGN_IN_COOKIE, value, cookieOptions(config, 600));
  return value;
}

export function signInTokenMatches(c: Context, presented: string | undefined): boolean {
  const expected = getCookie(c, SIGN_IN_COOKIE);
  return Boolean(expected) && sameToken(presented, expected!);
}

/** Opens a session for `key` and sets its cookie. */
export async function openSession(c: Context, db: Db, config: AppConfig, key: AdminKey): Promise<void> {
  const id = token();
  await insertAdminSession(db, {
    idSha256: sha256(id),
    keyName: key.name,
    keySha256: key.sha256,
    csrfToken: token(),
  });
  deleteCookie(c, SIGN_IN_COOKIE, { path: CONSOLE_PATH });
  setCookie(c, SESSION_COOKIE, id, cookieOptions(config));
}

export async function closeSession(c: Context, db: Db): Promise<void> {
  const id = getCookie(c, SESSION_COOKIE);
  if (id) await deleteAdminSession(db, sha256(id));
  deleteCookie(c, SESSION_COOKIE, { path: CONSOLE_PATH });
}

/**
 * Requires a live session: used within the idle timeout and opened with a key that is still configured. Without
 * one the browser goes to the sign-in page (saying why when a session just ended).
 */
export function requireSession(db: Db, config: AppConfig): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    c.set('auditAction', 'console.session');
    c.set('auditTarget', `${c.req.method} ${c.req.path}`);
    const id = getCookie(c, SESSION_COOKIE);
    if (!id) return c.redirect(`${CONSOLE_PATH}/login`, 303);
    const idleSince = new Date(Date.now() - config.ops.consoleIdleMinutes * 60_000);
    const idSha256 = sha256(id);
    const session = await touchAdminSession(db, idSha256, idleSince);
    const key = session
      ? config.ops.adminKeys.find((k) => k.name === session.key_name && k.sha256 === session.key_sha256)
      : undefined;
    if (!session || !key) {
      await deleteAdminSession(db, idSha256); // idled out or its key is gone: the row is of no further use
      deleteCookie(c, SESSION_COOKIE, { path: CONSOLE_PATH });
      return c.redirect(`${CONSOLE_PATH}/login?ended=1`, 303);
    }
    c.set('admin', key);
    c.set('session', session);
    await next();
  };
}

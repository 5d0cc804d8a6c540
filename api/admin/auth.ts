import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AdminKey, AdminScope } from '../../config/admin-keys.js';
import type { AppConfig } from '../../config/index.js';
import { HttpError } from '../middleware/errors.js';
import { clientIp } from '../middleware/rate-limit.js';

export type AdminEnv = {
  Variables: {
    requestId: string;
    admin: AdminKey;
    auditAction: string;
    auditTarget: string | null;
    auditDetail: Record<string, unknown> | undefined;
    /** Set when authentication failed: auditTrail rate-limits and counts the failure per client IP. */
    authFailure: AdminAuthFailure;
  };
};

export interface AdminAuthFailure {
  clientIp: string;
  reason: 'no_key' | 'sep10_token' | 'unknown_key';
  /** Failures per IP per window before 429 (max 0 = no limit). */
  limit: { max: number; windowSeconds: number };
  /** The 429 a browser sees instead of the JSON `{"error"}` (the console's sign-in page). */
  limitedPage?: (retryInSeconds: number) => Response | Promise<Response>;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The presented key: `Authorization: Bearer <key>` or `X-Admin-Key: <key>`. */
function presentedKey(authorization: string | undefined, header: string | undefined): string | undefined {
  if (header) return header.trim();
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return m?.[1];
}

/**
 * Finds the admin key whose SHA-256 matches, comparing against every configured hash in constant time (no early
 * exit, so timing does not reveal which or how many keys exist).
 */
export function matchAdminKey(keys: readonly AdminKey[], raw: string): AdminKey | undefined {
  const digest = createHash('sha256').update(raw, 'utf8').digest();
  let found: AdminKey | undefined;
  for (const key of keys) {
    const expected = Buffer.from(key.sha256, 'hex');
    if (expected.length === digest.length && timingSafeEqual(expected, digest) && !found) found = key;
  }
  return found;
}

/**
 * Admin authentication: API keys from ADMIN_API_KEYS only. A SEP-10 JWT is never an admin credential, whatever
 * its claims: it is refused with its own message so a misdirected wallet token is obvious in the audit trail.
 */
export function requireAdminKey(config: AppConfig): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    c.set('auditAction', 'authenticate');
    c.set('auditTarget', `${c.req.method} ${c.req.path}`);
    const refuse = (reason: AdminAuthFailure['reason'], message: string) => {
      c.set('authFailure', {
        clientIp: clientIp(c, config.sep10.trustedProxyHops),
        reason,
        limit: config.ops.adminAuthLimit,
      });
      return new HttpError(401, message, 'unauthorized');
    };
    const raw = presentedKey(c.req.header('Authorization'), c.req.header('X-Admin-Key'));
    if (!raw) throw refuse('no_key', 'admin API key required: send Authorization: Bearer <admin key>');
    if (JWT_SHAPE.test(raw)) {
      throw refuse('sep10_token', 'SEP-10 tokens are not admin credentials: use an admin API key');
    }
    const key = matchAdminKey(config.ops.adminKeys, raw);
    if (!key) throw refuse('unknown_key', 'invalid admin API key');
    c.set('admin', key);
    await next();
  };
}

/** Names the action for the audit trail, then requires the scope. */
export function adminAction(action: string, scope: AdminScope): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    c.set('auditAction', action);
    c.set('auditTarget', c.req.param('id') ?? null);
    if (!c.get('admin').scopes.has(scope)) {
      throw new HttpError(403, `this admin key lacks the scope ${scope}`, 'forbidden');
    }
    await next();
  };
}

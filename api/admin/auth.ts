import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AdminKey, AdminScope } from '../../config/admin-keys.js';
import type { AppConfig } from '../../config/index.js';
import { HttpError } from '../middleware/errors.js';

export type AdminEnv = {
  Variables: {
    requestId: string;
    admin: AdminKey;
    auditAction: string;
    auditTarget: string | null;
    auditDetail: Record<string, unknown> | undefined;
  };
};

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
    const raw = presentedKey(c.req.header('Authorization'), c.req.header('X-Admin-Key'));
    if (!raw)
      throw new HttpError(
        401,
        'admin API key required: send Authorization: Bearer <admin key>',
        'unauthorized',
      );
    if (JWT_SHAPE.test(raw)) {
      throw new HttpError(
        401,
        'SEP-10 tokens are not admin credentials: use an admin API key',
        'unauthorized',
      );
    }
    const key = matchAdminKey(config.ops.adminKeys, raw);
    if (!key) throw new HttpError(401, 'invalid admin API key', 'unauthorized');
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

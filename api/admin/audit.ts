import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../../config/logger.js';
import { recordAdminAction, recordFailedAdminAuth } from '../../db/audit.js';
import type { Db } from '../../db/index.js';
import { hitRateLimit } from '../../db/rate-limit.js';
import { applyRateLimit } from '../middleware/rate-limit.js';
import type { AdminAuthFailure, AdminEnv } from './auth.js';

/**
 * Records every admin request (allowed, denied or failed) in `admin_audit` once the response is known. Runs
 * outermost so authentication failures are recorded too. If the audit write itself fails the response becomes a
 * 500: an admin action that cannot be audited must not look successful.
 *
 * A failed authentication (no key, a SEP-10 token, an unknown key) is different (issue 15 row 6): it is counted
 * per client IP in the shared Postgres rate-limit buckets, answered 429 `{"error"}` once the client is over
 * ADMIN_AUTH_RATE_LIMIT_MAX in the window, and audited as one counted row per client and window
 * (recordFailedAdminAuth), so an anonymous flood costs a bounded number of rows. A valid key is never limited:
 * an attacker sharing the operator's address cannot lock the operator out, and keys made by newAdminKey are 256
 * random bits, so the limit is about cost (rows, hashing, connections), not guessing odds.
 */
export function auditTrail(db: Db, logger: Logger): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    await next();
    const failure = c.get('authFailure');
    if (failure && c.res.status === 401) {
      await countFailedAuthentication(db, logger, c, failure);
      return;
    }
    const status = c.res.status;
    const outcome = status < 400 ? 'ok' : status === 401 || status === 403 ? 'denied' : 'error';
    const entry = {
      actor: c.get('admin')?.name ?? 'unauthenticated',
      action: c.get('auditAction') ?? `${c.req.method} ${c.req.path}`,
      target: c.get('auditTarget') ?? null,
      request_id: c.get('requestId') ?? null,
      outcome,
      status_code: status,
      detail: c.get('auditDetail') ?? null,
    } as const;
    try {
      await recordAdminAction(db, entry);
    } catch (err) {
      logger.error({ requestId: entry.request_id, action: entry.action, err }, 'admin audit write failed');
      c.res = c.json({ error: `audit trail unavailable (request id ${entry.request_id})` }, 500);
      return;
    }
    logger.info(
      {
        requestId: entry.request_id,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        outcome,
        status,
      },
      'admin action',
    );
  };
}

/**
 * Rate limit and counted audit row of one failed authentication. A failed audit write turns the answer into a
 * 500 like any other; the limiter failing open (the 401 stands) does not, the refusal is already safe.
 */
async function countFailedAuthentication(
  db: Db,
  logger: Logger,
  c: Context<AdminEnv>,
  failure: AdminAuthFailure,
): Promise<void> {
  const requestId = c.get('requestId') ?? null;
  const { limit } = failure;
  if (limit.max > 0) {
    try {
      const hit = await hitRateLimit(db, `admin-auth:${failure.clientIp}`, limit.windowSeconds);
      const limited = applyRateLimit(c, limit, hit);
      if (limited) {
        c.res = failure.limitedPage ? await failure.limitedPage(hit.resetIn) : limited;
        c.header('Retry-After', String(hit.resetIn));
      }
    } catch (err) {
      logger.error({ requestId, err }, 'admin authentication rate limit unavailable');
    }
  }
  const target = `${c.req.method} ${c.req.path}`;
  try {
    await recordFailedAdminAuth(db, {
      clientIp: failure.clientIp,
      windowSeconds: limit.windowSeconds,
      target,
      requestId,
      statusCode: c.res.status,
      reason: failure.reason,
    });
  } catch (err) {
    logger.error({ requestId, action: 'authenticate', err }, 'admin audit write failed');
    c.res = c.json({ error: `audit trail unavailable (request id ${requestId})` }, 500);
    return;
  }
  // Debug only: a flood must not become a log line per request either (the counted row is the record).
  logger.debug({ requestId, reason: failure.reason, status: c.res.status }, 'admin authentication failed');
}

import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../config/logger.js';
import { recordAdminAction } from '../../db/audit.js';
import type { Db } from '../../db/index.js';
import type { AdminEnv } from './auth.js';

/**
 * Records every admin request (allowed, denied or failed) in `admin_audit` once the response is known. Runs
 * outermost so authentication failures are recorded too. If the audit write itself fails the response becomes a
 * 500: an admin action that cannot be audited must not look successful.
 */
export function auditTrail(db: Db, logger: Logger): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    await next();
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

import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { AdminAuditTable, Database } from './schema.js';

type Conn = Kysely<Database> | Transaction<Database>;
export type AdminAuditRow = Selectable<AdminAuditTable>;
export type NewAdminAudit = Omit<Insertable<AdminAuditTable>, 'id' | 'at'>;

/**
 * Appends one admin action to the audit trail. The trail is append-only (nothing deletes rows, and nothing updates
 * them except the counted failed-authentication rows below).
 */
export async function recordAdminAction(db: Conn, entry: NewAdminAudit): Promise<void> {
  await db
    .insertInto('admin_audit')
    .values({ ...entry, detail: entry.detail === undefined ? null : JSON.stringify(entry.detail) })
    .execute();
}

export interface FailedAdminAuth {
  clientIp: string;
  /** The rate-limit window; the row counts every failure of this client inside one aligned window. */
  windowSeconds: number;
  /** `METHOD /path` of the latest attempt. */
  target: string;
  requestId: string | null;
  /** 401, or 429 once over the limit. */
  statusCode: number;
  /** Why the latest attempt failed (no key, not a key, unknown key); never the presented value. */
  reason: string;
}

/**
 * Counts one failed admin authentication of `clientIp`: the first failure in a window inserts the row, every
 * later one adds to its `attempts` (and `detail.limited` when it was answered 429) and records the latest target,
 * request id and status. So a flood is one row per client and window, however many requests it sends. The
 * only rows ever updated; each counts its window and is final once the window has passed.
 */
export async function recordFailedAdminAuth(db: Conn, f: FailedAdminAuth): Promise<void> {
  const limited = f.statusCode === 429 ? 1 : 0;
  const detail = JSON.stringify({ reason: f.reason, limited, last_request_id: f.requestId });
  await sql`
    insert into admin_audit as a
      (actor, action, target, request_id, outcome, status_code, detail, attempts, client_ip, window_start)
    values ('unauthenticated', 'authenticate', ${f.target}, ${f.requestId}, 'denied', ${f.statusCode},
      ${detail}::jsonb, 1, ${f.clientIp},
      to_timestamp(floor(extract(epoch from now()) / ${f.windowSeconds}) * ${f.windowSeconds}))
    on conflict (client_ip, window_start) where window_start is not null do update set
      attempts = a.attempts + 1,
      target = excluded.target,
      status_code = excluded.status_code,
      detail = a.detail || jsonb_build_object(
        'reason', excluded.detail->'reason',
        'last_request_id', excluded.detail->'last_request_id',
        'limited', coalesce((a.detail->>'limited')::int, 0) + ${limited}::int)
  `.execute(db);
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  limit: number;
  /** Return rows with an id below this one (paging newest-first). */
  beforeId?: string;
}

export async function listAdminActions(db: Conn, q: AuditQuery): Promise<AdminAuditRow[]> {
  let query = db.selectFrom('admin_audit').selectAll();
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.target) query = query.where('target', '=', q.target);
  if (q.beforeId) query = query.where('id', '<', q.beforeId);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

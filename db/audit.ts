import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { AdminAuditTable, Database } from './schema.js';

type Conn = Kysely<Database> | Transaction<Database>;
export type AdminAuditRow = Selectable<AdminAuditTable>;
export type NewAdminAudit = Omit<Insertable<AdminAuditTable>, 'id' | 'at'>;

/** Appends one admin action to the audit trail. The trail is append-only: nothing updates or deletes rows. */
export async function recordAdminAction(db: Conn, entry: NewAdminAudit): Promise<void> {
  await db
    .insertInto('admin_audit')
    .values({ ...entry, detail: entry.detail === undefined ? null : JSON.stringify(entry.detail) })
    .execute();
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

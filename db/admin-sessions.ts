import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AdminSessionsTable, Database } from './schema.js';

/** Operator console sessions: rows keyed by the SHA-256 of the session cookie (the cookie itself is never stored). */
type Conn = Kysely<Database> | Transaction<Database>;
export type AdminSessionRow = Selectable<AdminSessionsTable>;

export async function insertAdminSession(
  db: Conn,
  row: { idSha256: string; keyName: string; keySha256: string; csrfToken: string },
): Promise<void> {
  await db
    .insertInto('admin_sessions')
    .values({
      id_sha256: row.idSha256,
      key_name: row.keyName,
      key_sha256: row.keySha256,
      csrf_token: row.csrfToken,
    })
    .execute();
}

/**
 * The session if it was used after `idleSince`, and marks it used now (one statement: a session that idled out
 * is never revived by a concurrent request).
 */
export async function touchAdminSession(
  db: Conn,
  idSha256: string,
  idleSince: Date,
): Promise<AdminSessionRow | undefined> {
  return db
    .updateTable('admin_sessions')
    .set({ last_seen_at: new Date() })
    .where('id_sha256', '=', idSha256)
    .where('last_seen_at', '>', idleSince)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteAdminSession(db: Conn, idSha256: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('id_sha256', '=', idSha256).execute();
}

/** Drops sessions idle since before `idleSince`; returns how many. */
export async function deleteIdleAdminSessions(db: Conn, idleSince: Date): Promise<number> {
  const res = await db.deleteFrom('admin_sessions').where('last_seen_at', '<=', idleSince).executeTakeFirst();
  return Number(res.numDeletedRows);
}

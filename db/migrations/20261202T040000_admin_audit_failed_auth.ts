import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// Issue 15 row 6: failed /admin authentications are one counted row per client IP and rate-limit window
// (`attempts` grows), not a row per request. Every other audit row keeps attempts = 1 and no window.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('admin_audit')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('client_ip', 'text')
    .addColumn('window_start', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('admin_audit_failed_auth_window')
    .on('admin_audit')
    .columns(['client_ip', 'window_start'])
    .unique()
    .where(sql.ref('window_start'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('admin_audit_failed_auth_window').execute();
  await db.schema
    .alterTable('admin_audit')
    .dropColumn('attempts')
    .dropColumn('client_ip')
    .dropColumn('window_start')
    .execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// Sessions of the operator console (api/admin/console): only the SHA-256 of the session cookie is stored, with the
// admin key it was opened with (its hash, as configured), its CSRF token and when it was last used (idle timeout).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('admin_sessions')
    .addColumn('id_sha256', 'text', (c) => c.primaryKey())
    .addColumn('key_name', 'text', (c) => c.notNull())
    .addColumn('key_sha256', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('admin_sessions_last_seen')
    .on('admin_sessions')
    .column('last_seen_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('admin_sessions').execute();
}

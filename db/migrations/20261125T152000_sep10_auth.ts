import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // SEP-10 replay store (S10-31): a challenge's hash is kept until its maxTime, so it buys one token only.
  await db.schema
    .createTable('sep10_used_challenges')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('sep10_used_challenges_expires_at')
    .on('sep10_used_challenges')
    .column('expires_at')
    .execute();

  // Fixed-window request counters shared by every API process (the API itself stays stateless).
  await db.schema
    .createTable('rate_limit_buckets')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_limit_buckets_window_start')
    .on('rate_limit_buckets')
    .column('window_start')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_buckets').execute();
  await db.schema.dropTable('sep10_used_challenges').execute();
}

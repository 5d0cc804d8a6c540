import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.

/**
 * Rate-limit counters need no crash durability (losing them resets a window), and a logged write costs a WAL
 * flush per request: on a busy disk that was most of a SEP-10 round trip. Unlogged, the upsert commits without one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table rate_limit_buckets set unlogged`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table rate_limit_buckets set logged`.execute(db);
}

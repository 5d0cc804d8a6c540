import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.

/**
 * A short lease on a bank transfer while one process signals its deposit, so a webhook and the poller handling
 * the same transfer at the same moment send one signal, not two. A crashed holder's lease simply runs out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('bank_transfers').addColumn('delivering_until', 'timestamptz').execute();
  await sql`comment on column bank_transfers.delivering_until is 'lease of the process signalling this transfer'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('bank_transfers').dropColumn('delivering_until').execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// Issue 15 item 5: a second Stellar payment for a withdrawal that has its payment already is recorded as
// unmatched 'duplicate_payment' with the withdrawal's id, then refunded (or alerted) by its own workflow; these
// columns say how far that went, so the observer starts each one once.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('received_payments')
    .addColumn('duplicate_state', 'text', (c) =>
      c.check(sql`duplicate_state in ('started', 'refunded', 'alerted')`),
    )
    .addColumn('refund_hash', 'text')
    .execute();
  await db.schema
    .createIndex('received_payments_duplicates_to_handle')
    .on('received_payments')
    .columns(['account', 'recorded_at'])
    .where(sql<boolean>`unmatched_reason = 'duplicate_payment' and duplicate_state is null`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('received_payments_duplicates_to_handle').execute();
  await db.schema
    .alterTable('received_payments')
    .dropColumn('duplicate_state')
    .dropColumn('refund_hash')
    .execute();
}

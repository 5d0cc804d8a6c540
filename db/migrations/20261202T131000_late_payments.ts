import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// Issue 15: a payment for a withdrawal that ended without one (expired or in error before the user paid) is
// recorded as unmatched 'late_payment' and refunded like a second payment; the queue index covers both.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('received_payments_duplicates_to_handle').execute();
  await db.schema
    .createIndex('received_payments_duplicates_to_handle')
    .on('received_payments')
    .columns(['account', 'recorded_at'])
    .where(
      sql<boolean>`unmatched_reason in ('duplicate_payment', 'late_payment') and duplicate_state is null`,
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('received_payments_duplicates_to_handle').execute();
  await db.schema
    .createIndex('received_payments_duplicates_to_handle')
    .on('received_payments')
    .columns(['account', 'recorded_at'])
    .where(sql<boolean>`unmatched_reason = 'duplicate_payment' and duplicate_state is null`)
    .execute();
}

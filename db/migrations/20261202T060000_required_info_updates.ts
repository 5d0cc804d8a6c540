import type { Kysely } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// SEP-6 S6-11: the fields a transfer waits for in `pending_transaction_info_update` (`required_info_updates`),
// cleared when PATCH /sep6/transactions/:id supplies them.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('transactions').addColumn('required_info_updates', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('transactions').dropColumn('required_info_updates').execute();
}

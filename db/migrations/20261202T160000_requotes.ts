import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// Issue 14: funds that arrive after their quote expired may be requoted (SEP38_EXPIRED_QUOTE_RULE=requote): the
// new firm quote is reserved to the same transaction as the expired one, so a transaction may hold several
// quotes over time (transactions.quote_id names the current one). One quote still pays for one transaction.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table quotes drop constraint if exists quotes_transaction_id_key`.execute(db);
  await db.schema.createIndex('quotes_transaction_id').on('quotes').column('transaction_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('quotes_transaction_id').execute();
  await sql`alter table quotes add constraint quotes_transaction_id_key unique (transaction_id)`.execute(db);
}

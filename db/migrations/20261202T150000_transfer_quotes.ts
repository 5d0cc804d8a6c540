import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// Issue 14: quotes in transfers and the SEP-6 exchange kinds. A transfer records the front that started it
// (its wire form, S6-12 callbacks), whether it is a SEP-6 `-exchange` kind, the SEP-38 quote it uses, the
// off-chain asset it converts from or to (iso4217:BRL; null: the bank currency the asset mirrors 1:1), and the
// quote's fee as issued (fee_details, S24-27).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('transactions')
    .addColumn('protocol', 'text', (c) => c.notNull().defaultTo('sep24'))
    .addColumn('exchange', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('quote_id', 'text')
    .addColumn('offchain_asset', 'text')
    .addColumn('fee_details', 'jsonb')
    .execute();
  await sql`alter table transactions add constraint transactions_protocol_check check (protocol in ('sep6', 'sep24'))`.execute(
    db,
  );
  await db.schema
    .createIndex('transactions_quote_id')
    .on('transactions')
    .column('quote_id')
    .unique()
    .where(sql<boolean>`quote_id is not null`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('transactions_quote_id').execute();
  await db.schema
    .alterTable('transactions')
    .dropColumn('protocol')
    .dropColumn('exchange')
    .dropColumn('quote_id')
    .dropColumn('offchain_asset')
    .dropColumn('fee_details')
    .execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// SEP-38 firm quotes (S38-07, S38-08): the issued values exactly as answered (numeric keeps the scale it was
// given, so GET /quote/:id replays the same strings), the owner (the SEP-10 sub) and, once a transfer uses
// the quote, the transaction that reserved it.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('quotes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull().check(sql`context in ('sep6', 'sep24', 'sep31')`))
    .addColumn('sell_asset', 'text', (c) => c.notNull())
    .addColumn('sell_amount', 'numeric', (c) => c.notNull())
    .addColumn('sell_delivery_method', 'text')
    .addColumn('buy_asset', 'text', (c) => c.notNull())
    .addColumn('buy_amount', 'numeric', (c) => c.notNull())
    .addColumn('buy_delivery_method', 'text')
    .addColumn('price', 'numeric', (c) => c.notNull())
    .addColumn('total_price', 'numeric', (c) => c.notNull())
    .addColumn('fee', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('transaction_id', 'text', (c) => c.unique())
    .addColumn('reserved_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('quotes_sub').on('quotes').columns(['sub', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('quotes').execute();
}

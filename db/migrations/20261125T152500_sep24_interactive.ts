import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // One-time interactive URL tokens and the hosted-pages sessions they open (S24-18). Only hashes are stored.
  await db.schema
    .createTable('interactive_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('transaction_id', 'text', (c) => c.notNull().references('transactions.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('start', 'session')`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    /** SEP-9 prefill sent with the interactive request; cleared when the flow ends. */
    .addColumn('prefill', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('interactive_tokens_transaction')
    .on('interactive_tokens')
    .column('transaction_id')
    .execute();

  await db.schema
    .alterTable('transactions')
    .addColumn('wallet_name', 'text')
    // S24-19 `callback`: POSTed at most once when the user finishes the interactive flow.
    .addColumn('interactive_callback', 'text')
    .execute();

  // Operator alerts: anything that needs a human (a payout that failed after retries, a stuck refund...).
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('transaction_id', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('acknowledged_at', 'timestamptz')
    .execute();
  // Dedupe: one alert per (kind, transaction) even when an activity retries.
  await db.schema
    .createIndex('alerts_kind_transaction')
    .on('alerts')
    .columns(['kind', 'transaction_id'])
    .unique()
    .where('transaction_id', 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('alerts').execute();
  await db.schema
    .alterTable('transactions')
    .dropColumn('interactive_callback')
    .dropColumn('wallet_name')
    .execute();
  await db.schema.dropTable('interactive_tokens').execute();
}

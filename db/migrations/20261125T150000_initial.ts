import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('deposit', 'withdrawal')`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('sub_account', 'text', (c) => c.notNull())
    .addColumn('sub_memo', 'text')
    .addColumn('client_domain', 'text')
    .addColumn('asset_code', 'text', (c) => c.notNull())
    .addColumn('asset_issuer', 'text')
    .addColumn('stellar_account', 'text', (c) => c.notNull())
    .addColumn('memo', 'text')
    .addColumn('memo_type', 'text', (c) => c.check(sql`memo_type in ('text', 'id', 'hash')`))
    .addColumn('amount_expected', 'numeric(30, 7)')
    .addColumn('amount_in', 'numeric(30, 7)')
    .addColumn('amount_out', 'numeric(30, 7)')
    .addColumn('amount_fee', 'numeric(30, 7)')
    .addColumn('withdraw_anchor_account', 'text')
    .addColumn('stellar_transaction_id', 'text')
    .addColumn('external_transaction_id', 'text')
    .addColumn('bank_reference', 'text')
    .addColumn('from_address', 'text')
    .addColumn('to_address', 'text')
    .addColumn('message', 'text')
    .addColumn('kyc_verified', 'boolean')
    .addColumn('refunds', 'jsonb')
    .addColumn('claimable_balance_supported', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('claimable_balance_id', 'text')
    .addColumn('on_change_callback', 'text')
    .addColumn('lang', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('status_eta', 'integer')
    .addColumn('user_action_required_by', 'timestamptz')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();
  // GET /transactions: by sub and asset, newest first (S24-34..36).
  await db.schema
    .createIndex('transactions_sub_listing')
    .on('transactions')
    .columns(['sub', 'asset_code', 'started_at desc', 'id desc'])
    .execute();
  await db.schema.createIndex('transactions_status').on('transactions').columns(['status', 'kind']).execute();
  await db.schema
    .createIndex('transactions_stellar_tx')
    .on('transactions')
    .column('stellar_transaction_id')
    .where('stellar_transaction_id', 'is not', null)
    .execute();
  await db.schema
    .createIndex('transactions_external_tx')
    .on('transactions')
    .column('external_transaction_id')
    .where('external_transaction_id', 'is not', null)
    .execute();
  // A bank reference identifies at most one live deposit at a time.
  await db.schema
    .createIndex('transactions_bank_reference')
    .on('transactions')
    .column('bank_reference')
    .unique()
    .where('bank_reference', 'is not', null)
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('memo', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('NEEDS_INFO'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('customers_account_memo', ['account', 'memo'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('customers').execute();
  await db.schema.dropTable('transactions').execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per signed transaction envelope we may submit, written BEFORE the first submission, so that a retry
  // finds the envelope (and its hash) and resubmits it instead of paying twice.
  await db.schema
    .createTable('stellar_envelopes')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('envelope_xdr', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('max_time', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('prepared').check(sql`status in ('prepared', 'succeeded', 'failed')`),
    )
    .addColumn('ledger', 'integer')
    .addColumn('result_codes', 'jsonb')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('previous_hashes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // One row per payment (an operation of an envelope): a payment's ref belongs to exactly one envelope.
  await db.schema
    .createTable('stellar_payments')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('envelope_ref', 'text', (c) => c.notNull().references('stellar_envelopes.ref'))
    .addColumn('op_index', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('payment', 'create_account', 'claimable_balance')`),
    )
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('asset_code', 'text', (c) => c.notNull())
    .addColumn('asset_issuer', 'text')
    .addColumn('amount', 'numeric(30, 7)', (c) => c.notNull())
    .addColumn('memo', 'text')
    .addColumn('memo_type', 'text')
    .addColumn('claimable_balance_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('stellar_payments_envelope')
    .on('stellar_payments')
    .column('envelope_ref')
    .execute();

  // Leases on channel accounts (transaction sources with their own sequence numbers).
  await db.schema
    .createTable('stellar_channels')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('leased_by', 'text')
    .addColumn('leased_until', 'timestamptz')
    .execute();

  // Every payment observed on a receiving account, once (unique by Horizon operation id).
  await db.schema
    .createTable('received_payments')
    .addColumn('operation_id', 'text', (c) => c.primaryKey())
    .addColumn('transaction_hash', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('from_account', 'text', (c) => c.notNull())
    .addColumn('to_account', 'text', (c) => c.notNull())
    .addColumn('to_muxed', 'text')
    .addColumn('to_muxed_id', 'text')
    .addColumn('asset_code', 'text', (c) => c.notNull())
    .addColumn('asset_issuer', 'text')
    .addColumn('amount', 'numeric(30, 7)', (c) => c.notNull())
    .addColumn('source_asset_code', 'text')
    .addColumn('source_asset_issuer', 'text')
    .addColumn('source_amount', 'numeric(30, 7)')
    .addColumn('memo', 'text')
    .addColumn('memo_type', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('fee_bump', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('ledger', 'integer', (c) => c.notNull())
    .addColumn('paging_token', 'text', (c) => c.notNull())
    .addColumn('ledger_closed_at', 'timestamptz')
    .addColumn('transaction_id', 'text')
    .addColumn('mismatch', 'text', (c) => c.check(sql`mismatch in ('asset', 'amount')`))
    .addColumn('unmatched_reason', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('matched', 'unmatched', 'signalled')`),
    )
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('signalled_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('received_payments_to_signal')
    .on('received_payments')
    .columns(['account', 'paging_token'])
    .where(sql.ref('status'), '=', 'matched')
    .execute();
  await db.schema
    .createIndex('received_payments_transaction')
    .on('received_payments')
    .column('transaction_id')
    .where('transaction_id', 'is not', null)
    .execute();

  // Durable cursor of the payment observer, one per receiving account: advanced in the same database
  // transaction that records the page it covers.
  await db.schema
    .createTable('observer_cursors')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('observer_cursors').execute();
  await db.schema.dropTable('received_payments').execute();
  await db.schema.dropTable('stellar_channels').execute();
  await db.schema.dropTable('stellar_payments').execute();
  await db.schema.dropTable('stellar_envelopes').execute();
}

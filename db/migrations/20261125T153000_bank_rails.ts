import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Every incoming bank transfer we have heard of (webhook or polling), recorded once by the bank's transfer id.
  await db.schema
    .createTable('bank_transfers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('webhook', 'poll', 'operator')`))
    .addColumn('reference', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('amount', 'numeric(30, 7)', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('from_account', 'text', (c) => c.notNull())
    .addColumn('from_name', 'text')
    .addColumn('to_account', 'text')
    .addColumn('user_id', 'text')
    .addColumn('booked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('received')
        .check(sql`status in ('received', 'signalled', 'unmatched', 'refunded')`),
    )
    .addColumn('transaction_id', 'text')
    .addColumn('delivery_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('bank_transfers_pending')
    .on('bank_transfers')
    .column('created_at')
    .where(sql.ref('status'), '=', 'received')
    .execute();
  await db.schema
    .createIndex('bank_transfers_transaction')
    .on('bank_transfers')
    .column('transaction_id')
    .where('transaction_id', 'is not', null)
    .execute();

  // Transfers an operator must look at: nothing matched, the deposit was over, or more than one deposit matched.
  await db.schema
    .createTable('unmatched_bank_transfers')
    .addColumn('bank_transfer_id', 'text', (c) => c.primaryKey().references('bank_transfers.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('candidate_transaction_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`state in ('open', 'attached', 'refunded')`),
    )
    .addColumn('resolved_transaction_id', 'text')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution_note', 'text')
    .addColumn('refund_reference', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('unmatched_bank_transfers_open')
    .on('unmatched_bank_transfers')
    .column('created_at')
    .where(sql.ref('state'), '=', 'open')
    .execute();

  // Per-customer virtual account numbers (DEPOSIT_MATCHING=virtual_account).
  await db.schema
    .createTable('bank_virtual_accounts')
    .addColumn('account_number', 'text', (c) => c.primaryKey())
    .addColumn('sub', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Where the poller stopped reading the bank's list of incoming transfers.
  await db.schema
    .createTable('bank_poll_cursors')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Fiat payouts of withdrawals, keyed by our payout reference (also the bank's Idempotency-Key).
  await db.schema
    .createTable('bank_payouts')
    .addColumn('payout_ref', 'text', (c) => c.primaryKey())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric(30, 7)', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('destination_account', 'text', (c) => c.notNull())
    .addColumn('destination_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('created').check(sql`status in ('created', 'pending', 'completed', 'failed')`),
    )
    .addColumn('bank_payout_id', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('bank_payouts_transaction')
    .on('bank_payouts')
    .column('transaction_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bank_payouts').execute();
  await db.schema.dropTable('bank_poll_cursors').execute();
  await db.schema.dropTable('bank_virtual_accounts').execute();
  await db.schema.dropTable('unmatched_bank_transfers').execute();
  await db.schema.dropTable('bank_transfers').execute();
}

import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  // withdraw_memo values (id memos): one sequence, so every withdrawal gets its own memo (S24-21).
  await sql`create sequence withdraw_memo_seq start with 100000`.execute(db);
  // A withdraw memo identifies at most one withdrawal, ever: the observer matches payments by it.
  await db.schema
    .createIndex('transactions_withdraw_memo')
    .on('transactions')
    .columns(['withdraw_anchor_account', 'memo'])
    .unique()
    .where(sql.ref('kind'), '=', 'withdrawal')
    .execute();

  // What a withdrawal needs beyond the SEP-24 row: refund memo (S24-14), the bank destination encrypted at rest
  // (AES-256-GCM, bound to the transaction id), the payout reference and the operator's decision.
  await db.schema
    .createTable('withdrawal_details')
    .addColumn('transaction_id', 'text', (c) =>
      c.primaryKey().references('transactions.id').onDelete('cascade'),
    )
    .addColumn('refund_memo', 'text')
    .addColumn('refund_memo_type', 'text', (c) => c.check(sql`refund_memo_type in ('text', 'id', 'hash')`))
    .addColumn('destination_ciphertext', 'text')
    .addColumn('destination_masked', 'text')
    .addColumn('payout_ref', 'text')
    .addColumn('approval_reasons', 'jsonb')
    .addColumn('decision', 'text', (c) => c.check(sql`decision in ('approve', 'reject')`))
    .addColumn('decided_by', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('withdrawal_details').execute();
  await db.schema.dropIndex('transactions_withdraw_memo').execute();
  await sql`drop sequence withdraw_memo_seq`.execute(db);
}

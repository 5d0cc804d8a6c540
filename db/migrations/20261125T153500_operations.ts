import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// Operations (issue 9): the admin audit trail, distribution top-ups awaiting cold signatures
// (their operator alert is a row in `alerts`, kind `topup_awaiting_signature`).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('admin_audit')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('request_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('ok', 'denied', 'error')`))
    .addColumn('status_code', 'integer')
    .addColumn('detail', 'jsonb')
    .execute();
  await db.schema.createIndex('admin_audit_at').on('admin_audit').columns(['at desc', 'id desc']).execute();
  await db.schema.createIndex('admin_audit_target').on('admin_audit').column('target').execute();

  await db.schema
    .createTable('topups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(sql`status in ('awaiting_signature', 'submitting', 'completed', 'expired', 'failed')`),
    )
    .addColumn('asset_code', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric(30, 7)', (c) => c.notNull())
    .addColumn('balance_before', 'numeric(30, 7)', (c) => c.notNull())
    .addColumn('unsigned_xdr', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull().unique())
    .addColumn('signed_xdr', 'text')
    .addColumn('ledger', 'integer')
    .addColumn('last_rejection', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('topups_status').on('topups').columns(['status', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('topups').execute();
  await db.schema.dropTable('admin_audit').execute();
}

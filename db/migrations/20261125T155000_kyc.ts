import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// SEP-12 KYC (issue 6): tiers on customers, per-field values and statuses, provider checks, webhook
// idempotency, workflows waiting on a customer, and the minimal audit row left after an erasure.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('customers')
    .addColumn('accepted_tier', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('requested_tier', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('message', 'text')
    .addColumn('callback_url', 'text')
    .addColumn('lang', 'text', (c) => c.notNull().defaultTo('en'))
    .execute();
  await sql`alter table customers add constraint customers_status_check
    check (status in ('ACCEPTED', 'PROCESSING', 'NEEDS_INFO', 'REJECTED'))`.execute(db);

  // Values are personal data: they live here (and documents in the blob store), never in logs or workflows.
  await db.schema
    .createTable('customer_fields')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('blob_key', 'text')
    .addColumn('content_type', 'text')
    .addColumn('size_bytes', 'integer')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('ACCEPTED', 'PROCESSING', 'REJECTED', 'VERIFICATION_REQUIRED')`),
    )
    .addColumn('error', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('customer_fields_pk', ['customer_id', 'name'])
    .execute();

  await db.schema
    .createTable('kyc_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id').onDelete('cascade'))
    .addColumn('tier', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending_submit', 'submitted', 'approved', 'rejected', 'needs_info')`),
    )
    .addColumn('provider_check_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('kyc_checks_customer')
    .on('kyc_checks')
    .columns(['customer_id', 'status'])
    .execute();

  await db.schema
    .createTable('kyc_webhook_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Keyed by (account, memo), not customer id: a workflow may start waiting before the customer exists.
  await db.schema
    .createTable('kyc_waiters')
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('memo', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('tier', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('kyc_waiters_pk', ['account', 'memo', 'workflow_id'])
    .execute();

  // What an erasure keeps: when, which customer id, and a SHA-256 of the account+memo key (no personal data).
  await db.schema
    .createTable('kyc_erasures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('subject_hash', 'text', (c) => c.notNull())
    .addColumn('fields_erased', 'integer', (c) => c.notNull())
    .addColumn('files_erased', 'integer', (c) => c.notNull())
    .addColumn('erased_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('kyc_erasures').execute();
  await db.schema.dropTable('kyc_waiters').execute();
  await db.schema.dropTable('kyc_webhook_events').execute();
  await db.schema.dropTable('kyc_checks').execute();
  await db.schema.dropTable('customer_fields').execute();
  await sql`alter table customers drop constraint customers_status_check`.execute(db);
  await db.schema
    .alterTable('customers')
    .dropColumn('accepted_tier')
    .dropColumn('requested_tier')
    .dropColumn('message')
    .dropColumn('callback_url')
    .dropColumn('lang')
    .execute();
}

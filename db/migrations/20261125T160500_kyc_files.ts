import { type Kysely, sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// SEP-12 customer files (S12-26, S12-27): uploads made before PUT /customer, referenced as `<field>_file_id`.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customer_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Owner: the authenticated account and memo ('' when none), like customers (S12-03).
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('memo', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('customer_id', 'text', (c) => c.references('customers.id').onDelete('set null'))
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('customer_files_owner')
    .on('customer_files')
    .columns(['account', 'memo'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('customer_files').execute();
}

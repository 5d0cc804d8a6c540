import type { Kysely } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// When a KYC check was last sent to the provider, so a check the provider lost can be sent again.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('kyc_checks').addColumn('last_sent_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('kyc_checks').dropColumn('last_sent_at').execute();
}

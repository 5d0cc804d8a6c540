import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Frozen once merged: never edit, add a new migration instead.
// Issue 15: the last status announced to the wallet's SEP-12 callback, so that two requests racing on one customer
// (a PUT and a verdict, or two PUTs) announce a status change once: the announcer claims it with a conditional
// update. Existing customers start as having announced the status they have.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').addColumn('announced_status', 'text').execute();
  await sql`update customers set announced_status = status`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').dropColumn('announced_status').execute();
}

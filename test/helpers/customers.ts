import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/index.js';

/**
 * A customer KYC-accepted at tier 2 for `account`, so transfers skip the KYC step (which has its own tests).
 * Written straight to the anchor's table: the test owns this database.
 */
export async function insertVerifiedCustomer(db: Db, account: string): Promise<void> {
  await db
    .insertInto('customers')
    .values({ id: randomUUID(), account, memo: '', status: 'ACCEPTED', accepted_tier: 2 } as never)
    .execute();
}

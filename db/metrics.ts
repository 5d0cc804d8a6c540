import type { Db } from './index.js';

/** The counts /metrics reads from Postgres on each scrape. */

export async function countTransactionsByKindAndStatus(db: Db) {
  return db
    .selectFrom('transactions')
    .select(['kind', 'status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['kind', 'status'])
    .execute();
}

export async function countTopUpsByStatus(db: Db) {
  return db
    .selectFrom('topups')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('status')
    .execute();
}

export async function observerCursorTimes(db: Db) {
  return db.selectFrom('observer_cursors').select(['account', 'updated_at']).execute();
}

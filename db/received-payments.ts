import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Database, ReceivedPaymentsTable } from './schema.js';

/** Repositories for the payment observer: received payments and its durable cursor. Take db or trx. */
type Q = Kysely<Database>;

export type ReceivedPaymentRow = Selectable<ReceivedPaymentsTable>;
export type NewReceivedPayment = Insertable<ReceivedPaymentsTable>;

export async function readCursor(db: Q, account: string): Promise<string | null> {
  const row = await db
    .selectFrom('observer_cursors')
    .select('cursor')
    .where('account', '=', account)
    .executeTakeFirst();
  return row?.cursor ?? null;
}

/**
 * Records a page of payments and moves the cursor past it, in one database transaction, only if the cursor is
 * still where the page was read from (a concurrent observer attempt that got there first wins; this one then
 * records nothing). Returns how many payments were new, or null when the cursor had moved.
 */
export async function recordPage(
  db: Q,
  account: string,
  expectedCursor: string | null,
  nextCursor: string,
  payments: NewReceivedPayment[],
): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('observer_cursors')
      .values({ account, cursor: expectedCursor ?? '' })
      .onConflict((oc) => oc.column('account').doNothing())
      .execute();
    const current = await trx
      .selectFrom('observer_cursors')
      .select('cursor')
      .where('account', '=', account)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (current.cursor !== (expectedCursor ?? '')) return null;
    let inserted = 0;
    if (payments.length > 0) {
      const rows = await trx
        .insertInto('received_payments')
        .values(payments)
        .onConflict((oc) => oc.column('operation_id').doNothing())
        .returning('operation_id')
        .execute();
      inserted = rows.length;
    }
    await trx
      .updateTable('observer_cursors')
      .set({ cursor: nextCursor, updated_at: sql<Date>`now()` })
      .where('account', '=', account)
      .execute();
    return inserted;
  });
}

/** Matched payments not yet signalled, oldest first. */
export async function paymentsToSignal(db: Q, account: string, limit = 500): Promise<ReceivedPaymentRow[]> {
  return db
    .selectFrom('received_payments')
    .selectAll()
    .where('account', '=', account)
    .where('status', '=', 'matched')
    .orderBy(sql`paging_token::numeric`)
    .limit(limit)
    .execute();
}

export async function markSignalled(db: Q, operationId: string): Promise<void> {
  await db
    .updateTable('received_payments')
    .set({ status: 'signalled', signalled_at: sql<Date>`now()` })
    .where('operation_id', '=', operationId)
    .where('status', '=', 'matched')
    .execute();
}

export async function markUnmatched(db: Q, operationId: string, reason: string): Promise<void> {
  await db
    .updateTable('received_payments')
    .set({ status: 'unmatched', unmatched_reason: reason })
    .where('operation_id', '=', operationId)
    .where('status', '=', 'matched')
    .execute();
}

/** Second payments for withdrawals that have theirs ('duplicate_payment'), and payments for withdrawals that ended without one ('late_payment'), not yet handed to a workflow. */
export async function duplicatesToHandle(db: Q, account: string, limit = 100): Promise<ReceivedPaymentRow[]> {
  return db
    .selectFrom('received_payments')
    .selectAll()
    .where('account', '=', account)
    .where('unmatched_reason', 'in', ['duplicate_payment', 'late_payment'])
    .where('duplicate_state', 'is', null)
    .orderBy('recorded_at')
    .limit(limit)
    .execute();
}

/** How far the handling of a duplicate (or late) payment went (started → refunded with its hash, or alerted). */
export async function setDuplicateState(
  db: Q,
  operationId: string,
  state: 'started' | 'refunded' | 'alerted',
  refundHash: string | null = null,
): Promise<void> {
  await db
    .updateTable('received_payments')
    .set({ duplicate_state: state, ...(refundHash ? { refund_hash: refundHash } : {}) })
    .where('operation_id', '=', operationId)
    .where('unmatched_reason', 'in', ['duplicate_payment', 'late_payment'])
    .execute();
}

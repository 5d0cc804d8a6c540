import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, TransactionRow, WithdrawalDetailsTable } from './schema.js';

/** Reads of the operator console beyond the admin API's searches (db/admin-search.ts). */
type Conn = Kysely<Database> | Transaction<Database>;
export type WithdrawalReview = Pick<
  Selectable<WithdrawalDetailsTable>,
  'approval_reasons' | 'decision' | 'decided_by' | 'decision_reason' | 'decided_at' | 'destination_masked'
>;

/** A withdrawal's review state (why it waits for an operator, who decided), undefined for a deposit. */
export function withdrawalReview(db: Conn, transactionId: string): Promise<WithdrawalReview | undefined> {
  return db
    .selectFrom('withdrawal_details')
    .select([
      'approval_reasons',
      'decision',
      'decided_by',
      'decision_reason',
      'decided_at',
      'destination_masked',
    ])
    .where('transaction_id', '=', transactionId)
    .executeTakeFirst();
}

/** Withdrawals held for an operator decision (under review, undecided, still pending_anchor), oldest first. */
export async function withdrawalsAwaitingDecision(
  db: Conn,
  limit: number,
): Promise<(TransactionRow & { approval_reasons: string[] | null })[]> {
  return db
    .selectFrom('transactions')
    .innerJoin('withdrawal_details', 'withdrawal_details.transaction_id', 'transactions.id')
    .selectAll('transactions')
    .select('withdrawal_details.approval_reasons')
    .where('transactions.kind', '=', 'withdrawal')
    .where('transactions.status', '=', 'pending_anchor')
    .where('withdrawal_details.approval_reasons', 'is not', null)
    .where('withdrawal_details.decision', 'is', null)
    .orderBy('transactions.started_at', 'asc')
    .limit(limit)
    .execute();
}

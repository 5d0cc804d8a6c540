import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, TransactionStatus } from './schema.js';

/**
 * Withdrawal rows: the `withdrawal_details` side table (refund memo, encrypted bank destination, payout
 * reference, review trail) and the withdrawal-only writes and sums on `transactions`. Each function takes
 * `(db | trx)` first.
 */
type Conn = Kysely<Database> | Transaction<Database>;

/** The refund memo the wallet asked for, stored with the `incomplete` row (S24-14). */
export async function insertWithdrawalDetails(
  db: Conn,
  transactionId: string,
  refund: { type: 'text' | 'id' | 'hash'; value: string } | null,
): Promise<void> {
  await db
    .insertInto('withdrawal_details')
    .values({
      transaction_id: transactionId,
      refund_memo: refund?.value ?? null,
      refund_memo_type: refund?.type ?? null,
    })
    .execute();
}

/** The bank destination the form collected: ciphertext (at rest) and the masked form shown as SEP-24 `to`. */
export async function saveWithdrawalDestination(
  db: Conn,
  transactionId: string,
  destination: { ciphertext: string; masked: string },
): Promise<void> {
  await db
    .insertInto('withdrawal_details')
    .values({
      transaction_id: transactionId,
      destination_ciphertext: destination.ciphertext,
      destination_masked: destination.masked,
    })
    .onConflict((oc) =>
      oc.column('transaction_id').doUpdateSet({
        destination_ciphertext: destination.ciphertext,
        destination_masked: destination.masked,
        updated_at: new Date(),
      }),
    )
    .execute();
}

/** The masked bank account the form step stored; null before that step. */
export async function maskedWithdrawalDestination(db: Conn, transactionId: string): Promise<string | null> {
  const details = await db
    .selectFrom('withdrawal_details')
    .select(['destination_masked'])
    .where('transaction_id', '=', transactionId)
    .executeTakeFirst();
  return details?.destination_masked ?? null;
}

/** The encrypted bank destination; null when the form never stored one. */
export async function withdrawalDestinationCiphertext(
  db: Conn,
  transactionId: string,
): Promise<string | null> {
  const details = await db
    .selectFrom('withdrawal_details')
    .select(['destination_ciphertext'])
    .where('transaction_id', '=', transactionId)
    .executeTakeFirst();
  return details?.destination_ciphertext ?? null;
}

export async function setWithdrawalPayoutRef(
  db: Conn,
  transactionId: string,
  payoutRef: string,
): Promise<void> {
  await db
    .updateTable('withdrawal_details')
    .set({ payout_ref: payoutRef, updated_at: new Date() })
    .where('transaction_id', '=', transactionId)
    .execute();
}

/** Why a withdrawal needs approval, and later the operator's decision (audit trail). */
export async function recordWithdrawalReview(
  db: Conn,
  transactionId: string,
  reasons: string[],
  decision?: { decision: 'approve' | 'reject'; operator: string; reason?: string | undefined },
): Promise<void> {
  await db
    .insertInto('withdrawal_details')
    .values({ transaction_id: transactionId, approval_reasons: JSON.stringify(reasons) })
    .onConflict((oc) =>
      oc.column('transaction_id').doUpdateSet({
        approval_reasons: JSON.stringify(reasons),
        updated_at: new Date(),
        ...(decision
          ? {
              decision: decision.decision,
              decided_by: decision.operator,
              decision_reason: decision.reason ?? null,
              decided_at: new Date(),
            }
          : {}),
      }),
    )
    .execute();
}

/**
 * Readies the row for the user's payment: the withdraw memo is assigned once (an id memo from a sequence, so
 * unique per transaction, S24-21), and so is the receiving account; a repeat returns what was assigned.
 * Undefined when there is no such withdrawal.
 */
export async function prepareWithdrawalPayment(
  db: Conn,
  input: {
    transactionId: string;
    anchorAccount: string;
    amountExpected: string;
    destinationMasked: string | null;
  },
): Promise<{ memo: string | null; withdraw_anchor_account: string | null } | undefined> {
  return db
    .updateTable('transactions')
    .set({
      memo: sql<string>`coalesce(memo, nextval('withdraw_memo_seq')::text)`,
      memo_type: 'id',
      withdraw_anchor_account: sql<string>`coalesce(withdraw_anchor_account, ${input.anchorAccount})`,
      amount_expected: input.amountExpected,
      ...(input.destinationMasked ? { to_address: input.destinationMasked } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', input.transactionId)
    .where('kind', '=', 'withdrawal')
    .returning(['memo', 'withdraw_anchor_account'])
    .executeTakeFirst();
}

/**
 * Sums the account's withdrawals of the asset in `statuses` since `since` (amount_in, or amount_expected before
 * payment), leaving out `excludeId`. Postgres' numeric sum comes back as a decimal string, possibly with more
 * than 7 places of zeros.
 */
export async function sumWithdrawalsSince(
  db: Conn,
  input: {
    account: string;
    assetCode: string;
    since: Date;
    statuses: readonly TransactionStatus[];
    excludeId?: string | undefined;
  },
): Promise<string> {
  let q = db
    .selectFrom('transactions')
    .select(sql<string | null>`sum(coalesce(amount_in, amount_expected, 0))`.as('total'))
    .where('kind', '=', 'withdrawal')
    .where('sub_account', '=', input.account)
    .where('asset_code', '=', input.assetCode)
    .where('status', 'in', input.statuses)
    .where('started_at', '>=', input.since);
  if (input.excludeId) q = q.where('id', '!=', input.excludeId);
  const row = await q.executeTakeFirst();
  return row?.total ?? '0';
}

/** The refund memo the wallet asked for (S24-14 `refund_memo`), if any. */
export async function withdrawalRefundMemo(
  db: Conn,
  transactionId: string,
): Promise<{ type: 'text' | 'id' | 'hash'; value: string } | null> {
  const row = await db
    .selectFrom('withdrawal_details')
    .select(['refund_memo', 'refund_memo_type'])
    .where('transaction_id', '=', transactionId)
    .executeTakeFirst();
  return row?.refund_memo && row.refund_memo_type
    ? { type: row.refund_memo_type, value: row.refund_memo }
    : null;
}

/**
 * Every withdrawal a payment to `account` could name by memo or muxed address, once it has a memo
 * (pending_user_transfer_start or later), with whether it has its payment already: a matched or signalled
 * received payment, or a payment hash on the row. The observer tells first payments from second ones with it.
 */
export async function withdrawalsByPaymentReference(
  db: Conn,
  account: string,
  by: { memos: string[]; muxed: string[] },
) {
  if (by.memos.length === 0 && by.muxed.length === 0) return [];
  return db
    .selectFrom('transactions as t')
    .select(['t.id', 't.status', 't.withdraw_anchor_account', 't.memo', 't.memo_type'])
    .select(['t.asset_code', 't.asset_issuer', 't.amount_in', 't.amount_expected'])
    .select((eb) =>
      eb
        .or([
          eb('t.stellar_transaction_id', 'is not', null),
          eb.exists(
            eb
              .selectFrom('received_payments as r')
              .select('r.operation_id')
              .whereRef('r.transaction_id', '=', 't.id')
              .where('r.status', 'in', ['matched', 'signalled']),
          ),
        ])
        .as('paid'),
    )
    .where('t.kind', '=', 'withdrawal')
    .where('t.status', '!=', 'incomplete')
    .where((eb) => {
      const ors = [];
      if (by.memos.length > 0) {
        ors.push(eb.and([eb('t.withdraw_anchor_account', '=', account), eb('t.memo', 'in', by.memos)]));
      }
      if (by.muxed.length > 0) ors.push(eb('t.withdraw_anchor_account', 'in', by.muxed));
      return eb.or(ors);
    })
    .execute();
}

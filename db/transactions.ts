import { sql } from 'kysely';
import type { Db } from './index.js';
import type { NewTransaction, TransactionKind, TransactionRow, TransactionUpdate } from './schema.js';

/**
 * Transaction rows (SEP-24 deposits and withdrawals). Every read the API does is scoped by the JWT `sub`
 * (S24-34, S24-38, X-10): a transaction of another user, or of another memo of the same account, is invisible.
 */
type Executor = Pick<Db, 'selectFrom' | 'insertInto' | 'updateTable' | 'deleteFrom'>;

export async function insertTransaction(db: Executor, row: NewTransaction): Promise<TransactionRow> {
  return db.insertInto('transactions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function getTransaction(db: Executor, id: string): Promise<TransactionRow | undefined> {
  return db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst();
}

export type TransactionLookup =
  | { id: string }
  | { stellarTransactionId: string }
  | { externalTransactionId: string };

/** GET /transaction: exactly one lookup key, only within the caller's `sub` (S24-37, S24-38). */
export async function findTransactionForSub(
  db: Executor,
  sub: string,
  lookup: TransactionLookup,
): Promise<TransactionRow | undefined> {
  let q = db.selectFrom('transactions').selectAll().where('sub', '=', sub);
  if ('id' in lookup) q = q.where('id', '=', lookup.id);
  else if ('stellarTransactionId' in lookup)
    q = q.where('stellar_transaction_id', '=', lookup.stellarTransactionId);
  else q = q.where('external_transaction_id', '=', lookup.externalTransactionId);
  return q.orderBy('started_at', 'desc').executeTakeFirst();
}

export interface TransactionListFilter {
  assetCode: string;
  kind?: TransactionKind | undefined;
  /** SEP-6 kinds (S6-10): any of these; `exchange` tells `deposit-exchange` from `deposit`. */
  kinds?: readonly { kind: TransactionKind; exchange: boolean }[] | undefined;
  noOlderThan?: Date | undefined;
  limit?: number | undefined;
  /** Only transactions strictly before this one in the listing order (S24-35). */
  pagingId?: string | undefined;
}

/** GET /transactions: the sub's transactions, newest first (S24-34..36). */
export async function listTransactionsForSub(
  db: Executor,
  sub: string,
  filter: TransactionListFilter,
): Promise<TransactionRow[]> {
  let q = db
    .selectFrom('transactions')
    .selectAll()
    .where('sub', '=', sub)
    .where('asset_code', '=', filter.assetCode);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  const kinds = filter.kinds;
  if (kinds && kinds.length > 0) {
    q = q.where((eb) =>
      eb.or(kinds.map((k) => eb.and([eb('kind', '=', k.kind), eb('exchange', '=', k.exchange)]))),
    );
  }
  if (filter.noOlderThan) q = q.where('started_at', '>=', filter.noOlderThan);
  if (filter.pagingId) {
    const anchor = await db
      .selectFrom('transactions')
      .select(['started_at', 'id'])
      .where('sub', '=', sub)
      .where('id', '=', filter.pagingId)
      .executeTakeFirst();
    if (!anchor) return [];
    q = q.where(sql<boolean>`(started_at, id) < (${anchor.started_at}, ${anchor.id})`);
  }
  return q
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100)
    .execute();
}

/** Applies a patch and bumps `updated_at`; returns the row after the change. */
export async function updateTransaction(
  db: Executor,
  id: string,
  patch: TransactionUpdate,
): Promise<TransactionRow | undefined> {
  return db
    .updateTable('transactions')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** The language of the user's messages for this transaction (the request's `lang`), if any. */
export async function transactionLang(db: Executor, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('transactions').select('lang').where('id', '=', id).executeTakeFirst();
  return row?.lang ?? undefined;
}

/**
 * Sets the deposit's bank reference unless it has one; returns the reference set, or undefined when another
 * was there first. A reference used by another live deposit fails with the unique index's 23505.
 */
export async function setBankReferenceIfNone(
  db: Executor,
  id: string,
  reference: string,
): Promise<string | undefined> {
  const updated = await db
    .updateTable('transactions')
    .set({ bank_reference: reference, updated_at: new Date() })
    .where('id', '=', id)
    .where('bank_reference', 'is', null)
    .returning('bank_reference')
    .executeTakeFirst();
  return updated?.bank_reference ?? undefined;
}

/**
 * S6-11: marks the fields a transfer waited for as supplied — only while it still waits for them (`incomplete`,
 * or `pending_user` for a requote's answer, with `required_info_updates`), and only for its owner. One conditional UPDATE, so two PATCHes cannot both
 * succeed; undefined when the transaction is not (or no longer) waiting for information.
 */
export async function clearRequiredInfo(
  db: Executor,
  q: { id: string; sub: string },
): Promise<TransactionRow | undefined> {
  return db
    .updateTable('transactions')
    .set({ required_info_updates: null, status: 'pending_anchor', updated_at: new Date() })
    .where('id', '=', q.id)
    .where('sub', '=', q.sub)
    .where('status', 'in', ['incomplete', 'pending_user'])
    .where('required_info_updates', 'is not', null)
    .returningAll()
    .executeTakeFirst();
}

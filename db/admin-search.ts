import { sql } from 'kysely';
import type { Db } from './index.js';
import type { TransactionKind, TransactionRow, TransactionStatus } from './schema.js';

/**
 * Operator searches of the admin API, paged by keyset cursors. A cursor this API never issued throws
 * InvalidCursorError (the admin routes answer it with a 400).
 */

/** Keyset cursor over (started_at desc, id desc): stable under inserts, no OFFSET scans. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`, 'utf8').toString('base64url');
}
export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor() {
    super('cursor: not a cursor this API returned');
  }
}
export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime())) throw new InvalidCursorError();
  return { at, id };
}

/** The rows after `cursor` in (`column` desc, id desc) order. */
function afterCursor(column: 'started_at' | 'created_at', cursor: string) {
  const c = decodeCursor(cursor);
  return sql<boolean>`(${sql.ref(column)}, id) < (${c.at}, ${c.id})`;
}

/** One page out of `limit + 1` rows, with the cursor to the next page when there is one. */
function keysetPage<R extends { id: string }>(rows: R[], limit: number, at: (row: R) => Date) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last ? encodeCursor(at(last), last.id) : null };
}

export interface TransactionSearch {
  status?: TransactionStatus | undefined;
  kind?: TransactionKind | undefined;
  account?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Operator search across every user's transactions (the SEP endpoints are scoped by sub; this is not). */
export async function searchTransactions(
  db: Db,
  s: TransactionSearch,
): Promise<{ rows: TransactionRow[]; nextCursor: string | null }> {
  let q = db.selectFrom('transactions').selectAll();
  if (s.status) q = q.where('status', '=', s.status);
  if (s.kind) q = q.where('kind', '=', s.kind);
  if (s.account) {
    const account = s.account;
    q = q.where((eb) => eb.or([eb('stellar_account', '=', account), eb('sub_account', '=', account)]));
  }
  if (s.from) q = q.where('started_at', '>=', new Date(s.from));
  if (s.to) q = q.where('started_at', '<', new Date(s.to));
  if (s.cursor) q = q.where(afterCursor('started_at', s.cursor));
  const rows = await q
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(s.limit + 1)
    .execute();
  return keysetPage(rows, s.limit, (r) => r.started_at);
}

export interface KycSearch {
  status?: 'ACCEPTED' | 'PROCESSING' | 'NEEDS_INFO' | 'REJECTED' | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** KYC status only: id, account, memo, status, updated_at. Never a field value or document. */
export async function listKycStatuses(db: Db, s: KycSearch) {
  let q = db.selectFrom('customers').select(['id', 'account', 'memo', 'status', 'updated_at', 'created_at']);
  if (s.status) q = q.where('status', '=', s.status);
  if (s.cursor) q = q.where(afterCursor('created_at', s.cursor));
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(s.limit + 1)
    .execute();
  return keysetPage(rows, s.limit, (r) => r.created_at);
}

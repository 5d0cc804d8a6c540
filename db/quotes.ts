import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database, QuoteRow, QuotesTable } from './schema.js';

/** SEP-38 firm quotes. Every function takes `(db | trx)` first; reads are always scoped to the owner (`sub`). */
type Conn = Kysely<Database> | Transaction<Database>;

export type NewQuote = Insertable<QuotesTable>;

export async function insertQuote(db: Conn, quote: NewQuote): Promise<QuoteRow> {
  return db.insertInto('quotes').values(quote).returningAll().executeTakeFirstOrThrow();
}

/** The quote if `sub` owns it; another user's quote is reported exactly like a missing one (S38-08). */
export async function findQuoteForSub(db: Conn, sub: string, id: string): Promise<QuoteRow | undefined> {
  return db.selectFrom('quotes').selectAll().where('id', '=', id).where('sub', '=', sub).executeTakeFirst();
}

export type ReserveOutcome =
  | { ok: true; quote: QuoteRow }
  | { ok: false; reason: 'not_found' | 'expired' | 'used' };

/**
 * Binds the quote to the transfer that uses it: one quote pays for one transaction. Atomic (one conditional
 * UPDATE), so two transfers racing for the same quote cannot both get it. Re-reserving for the same
 * transaction is a no-op success (a retried request).
 */
export async function reserveQuote(
  db: Conn,
  q: { id: string; sub: string; transactionId: string; now: Date },
): Promise<ReserveOutcome> {
  const reserved = await db
    .updateTable('quotes')
    .set({ transaction_id: q.transactionId, reserved_at: q.now })
    .where('id', '=', q.id)
    .where('sub', '=', q.sub)
    .where('transaction_id', 'is', null)
    .where('expires_at', '>', q.now)
    .returningAll()
    .executeTakeFirst();
  if (reserved) return { ok: true, quote: reserved };
  const row = await findQuoteForSub(db, q.sub, q.id);
  if (!row) return { ok: false, reason: 'not_found' };
  if (row.transaction_id === q.transactionId) return { ok: true, quote: row };
  if (row.transaction_id !== null) return { ok: false, reason: 'used' };
  return { ok: false, reason: 'expired' };
}

/** Inserts a quote with a fixed id once (a retried requote activity); returns the row that has that id. */
export async function insertQuoteOnce(db: Conn, quote: NewQuote): Promise<QuoteRow> {
  await db
    .insertInto('quotes')
    .values(quote)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return db.selectFrom('quotes').selectAll().where('id', '=', quote.id).executeTakeFirstOrThrow();
}

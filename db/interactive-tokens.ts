import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Rows of `interactive_tokens`: the SHA-256 of each one-time start token and session token of the hosted pages,
 * bound to one transaction (the token logic is core/interactive-tokens.ts). Each function takes `(db | trx)` first.
 */
type Conn = Kysely<Database> | Transaction<Database>;

export async function insertInteractiveToken(
  db: Conn,
  t: {
    tokenHash: string;
    transactionId: string;
    kind: 'start' | 'session';
    expiresAt: Date;
    prefill: Record<string, string> | null;
  },
): Promise<void> {
  await db
    .insertInto('interactive_tokens')
    .values({
      token_hash: t.tokenHash,
      transaction_id: t.transactionId,
      kind: t.kind,
      expires_at: t.expiresAt,
      used_at: null,
      prefill: t.prefill ? JSON.stringify(t.prefill) : null,
    })
    .execute();
}

/** Marks a live start token used, atomically (a concurrent second use gets undefined); returns its prefill. */
export async function spendStartToken(
  db: Conn,
  t: { tokenHash: string; transactionId: string },
): Promise<{ prefill: Record<string, string> | null } | undefined> {
  return db
    .updateTable('interactive_tokens')
    .set({ used_at: new Date() })
    .where('token_hash', '=', t.tokenHash)
    .where('transaction_id', '=', t.transactionId)
    .where('kind', '=', 'start')
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning(['prefill'])
    .executeTakeFirst();
}

/** The live (unexpired, open) session token row of a transaction, or undefined. */
export async function findLiveSession(
  db: Conn,
  t: { tokenHash: string; transactionId: string },
): Promise<{ prefill: Record<string, string> | null } | undefined> {
  return db
    .selectFrom('interactive_tokens')
    .select(['prefill'])
    .where('token_hash', '=', t.tokenHash)
    .where('transaction_id', '=', t.transactionId)
    .where('kind', '=', 'session')
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
}

/** Closes every open token of a transaction and drops the stored prefill (personal data) of all of them. */
export async function closeInteractiveTokens(db: Conn, transactionId: string): Promise<void> {
  await db
    .updateTable('interactive_tokens')
    .set({ used_at: new Date(), prefill: null })
    .where('transaction_id', '=', transactionId)
    .where('used_at', 'is', null)
    .execute();
  await db
    .updateTable('interactive_tokens')
    .set({ prefill: null })
    .where('transaction_id', '=', transactionId)
    .execute();
}

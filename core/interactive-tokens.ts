import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';

/**
 * Interactive URL tokens (S24-18): the URL carries a random one-time token, never the SEP-10 JWT. Only its
 * SHA-256 is stored, bound to one transaction. Redeeming it (once, before it expires) opens a session whose
 * own random token travels with the multi-step pages as a parameter (works in popups and third-party iframes
 * where cookies are blocked).
 */

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

export async function createStartToken(
  db: Db,
  input: { transactionId: string; ttlSeconds: number; prefill?: Record<string, string> | null; now?: Date },
): Promise<string> {
  const token = newToken();
  const now = input.now ?? new Date();
  await db
    .insertInto('interactive_tokens')
    .values({
      token_hash: hash(token),
      transaction_id: input.transactionId,
      kind: 'start',
      expires_at: new Date(now.getTime() + input.ttlSeconds * 1000),
      used_at: null,
      prefill: input.prefill && Object.keys(input.prefill).length > 0 ? JSON.stringify(input.prefill) : null,
    })
    .execute();
  return token;
}

export interface InteractiveSession {
  transactionId: string;
  session: string;
  prefill: Record<string, string> | null;
}

/**
 * Spends a start token: atomically marks it used (a concurrent second use loses the race) and opens a session.
 * Returns undefined when the token is unknown, bound to another transaction, expired or already used.
 */
export async function redeemStartToken(
  db: Db,
  input: { transactionId: string; token: string; sessionTtlSeconds: number },
): Promise<InteractiveSession | undefined> {
  return db.transaction().execute(async (trx) => {
    const spent = await trx
      .updateTable('interactive_tokens')
      .set({ used_at: new Date() })
      .where('token_hash', '=', hash(input.token))
      .where('transaction_id', '=', input.transactionId)
      .where('kind', '=', 'start')
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returning(['prefill'])
      .executeTakeFirst();
    if (!spent) return undefined;
    const session = newToken();
    await trx
      .insertInto('interactive_tokens')
      .values({
        token_hash: hash(session),
        transaction_id: input.transactionId,
        kind: 'session',
        expires_at: new Date(Date.now() + input.sessionTtlSeconds * 1000),
        used_at: null,
        prefill: spent.prefill ? JSON.stringify(spent.prefill) : null,
      })
      .execute();
    return { transactionId: input.transactionId, session, prefill: spent.prefill };
  });
}

/** The live session for a transaction, or undefined (unknown, other transaction, expired or closed). */
export async function findSession(
  db: Db,
  input: { transactionId: string; session: string },
): Promise<InteractiveSession | undefined> {
  const row = await db
    .selectFrom('interactive_tokens')
    .select(['prefill'])
    .where('token_hash', '=', hash(input.session))
    .where('transaction_id', '=', input.transactionId)
    .where('kind', '=', 'session')
    .where('used_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return row
    ? { transactionId: input.transactionId, session: input.session, prefill: row.prefill }
    : undefined;
}

/** Ends every session of a transaction and drops the stored prefill (personal data) once the flow is done. */
export async function closeSessions(db: Db, transactionId: string): Promise<void> {
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

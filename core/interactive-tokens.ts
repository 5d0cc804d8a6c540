import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/index.js';
import {
  closeInteractiveTokens,
  findLiveSession,
  insertInteractiveToken,
  spendStartToken,
} from '../db/interactive-tokens.js';

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
  await insertInteractiveToken(db, {
    tokenHash: hash(token),
    transactionId: input.transactionId,
    kind: 'start',
    expiresAt: new Date(now.getTime() + input.ttlSeconds * 1000),
    prefill: input.prefill && Object.keys(input.prefill).length > 0 ? input.prefill : null,
  });
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
    const spent = await spendStartToken(trx, {
      tokenHash: hash(input.token),
      transactionId: input.transactionId,
    });
    if (!spent) return undefined;
    const session = newToken();
    await insertInteractiveToken(trx, {
      tokenHash: hash(session),
      transactionId: input.transactionId,
      kind: 'session',
      expiresAt: new Date(Date.now() + input.sessionTtlSeconds * 1000),
      prefill: spent.prefill ?? null,
    });
    return { transactionId: input.transactionId, session, prefill: spent.prefill };
  });
}

/** The live session for a transaction, or undefined (unknown, other transaction, expired or closed). */
export async function findSession(
  db: Db,
  input: { transactionId: string; session: string },
): Promise<InteractiveSession | undefined> {
  const row = await findLiveSession(db, {
    tokenHash: hash(input.session),
    transactionId: input.transactionId,
  });
  return row
    ? { transactionId: input.transactionId, session: input.session, prefill: row.prefill }
    : undefined;
}

/** Ends every session of a transaction and drops the stored prefill (personal data) once the flow is done. */
export async function closeSessions(db: Db, transactionId: string): Promise<void> {
  await closeInteractiveTokens(db, transactionId);
}

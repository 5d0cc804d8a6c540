import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

/**
 * Records a challenge as exchanged (S10-31). Returns false when it already was: one challenge, one token.
 * The row lives until the challenge's maxTime (plus a margin for clock skew between API processes); after that
 * the time bounds alone reject it.
 *
 * The insert commits without waiting for the WAL flush (synchronous_commit off, this transaction only): the
 * primary key still makes two concurrent claims of one hash exclusive, and only a Postgres crash within a fraction
 * of a second of the commit could forget the row, reopening a window of at most the challenge's own lifetime for a
 * client that already holds the signed challenge. The flush was the largest single cost of a token.
 */
export async function claimChallenge(db: Db, hash: string, expiresAt: Date): Promise<boolean> {
  const row = await db.transaction().execute(async (trx) => {
    await sql`set local synchronous_commit = off`.execute(trx);
    return trx
      .insertInto('sep10_used_challenges')
      .values({ hash, expires_at: expiresAt })
      .onConflict((oc) => oc.column('hash').doNothing())
      .returning('hash')
      .executeTakeFirst();
  });
  if (Math.random() < 0.01) void sweepExpiredChallenges(db).catch(() => {});
  return row !== undefined;
}

export async function sweepExpiredChallenges(db: Db): Promise<number> {
  const res = await db
    .deleteFrom('sep10_used_challenges')
    .where('expires_at', '<', sql<Date>`now() - interval '10 minutes'`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

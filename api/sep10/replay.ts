import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

/**
 * Records a challenge as exchanged (S10-31). Returns false when it already was: one challenge, one token.
 * The row lives until the challenge's maxTime (plus a margin for clock skew between API processes); after that
 * the time bounds alone reject it.
 *
 * The insert commits without waiting for the WAL flush (synchronous_commit off, this statement only): the
 * primary key still makes two concurrent claims of one hash exclusive, and only a Postgres crash within a fraction
 * of a second of the commit could forget the row, reopening a window of at most the challenge's own lifetime for a
 * client that already holds the signed challenge. The flush was the largest single cost of a token.
 */
export async function claimChallenge(db: Db, hash: string, expiresAt: Date): Promise<boolean> {
  // One statement, so one round trip: set_config(..., true) lasts until this statement's implicit commit.
  const { rows } = await sql<{ hash: string }>`
    insert into sep10_used_challenges (hash, expires_at)
    select ${hash}::text, ${expiresAt}::timestamptz from (select set_config('synchronous_commit', 'off', true)) as async_commit
    on conflict (hash) do nothing
    returning hash
  `.execute(db);
  if (Math.random() < 0.01) void sweepExpiredChallenges(db).catch(() => {});
  return rows.length === 1;
}

export async function sweepExpiredChallenges(db: Db): Promise<number> {
  const res = await db
    .deleteFrom('sep10_used_challenges')
    .where('expires_at', '<', sql<Date>`now() - interval '10 minutes'`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

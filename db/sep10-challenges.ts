import { sql } from 'kysely';
import type { Db } from './index.js';
import { type RateLimitHit, rateLimitHitSql, sweep, toRateLimitHit } from './rate-limit.js';

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

/**
 * The POST's rate-limit hit and the replay claim in one statement (one round trip instead of two): the claim is
 * only made when the hit is within `max`. Runs after every check that needs no I/O (readSignedChallenge) and
 * before the Horizon lookup, so neither a replayed nor an over-limit request reaches Horizon; when a later check
 * fails the caller releases the claim (releaseChallenge), so a failed attempt burns no challenge (S10-31).
 */
export async function claimChallengeWithinLimit(
  db: Db,
  limit: { key: string; max: number; windowSeconds: number },
  hash: string,
  expiresAt: Date,
): Promise<{ hit: RateLimitHit; claimed: boolean }> {
  const { rows } = await sql<{ hits: number; reset_in: string; claimed: number }>`
    with hit as (${rateLimitHitSql(limit.key, limit.windowSeconds)}),
    claim as (
      insert into sep10_used_challenges (hash, expires_at)
      select ${hash}::text, ${expiresAt}::timestamptz from hit where hit.hits <= ${limit.max}
      on conflict (hash) do nothing
      returning hash
    )
    select hit.hits, hit.reset_in, (select count(*) from claim)::int as claimed
    from hit, (select set_config('synchronous_commit', 'off', true)) as async_commit
  `.execute(db);
  const row = rows[0]!;
  if (Math.random() < 0.01) {
    void sweepExpiredChallenges(db).catch(() => {});
    void sweep(db, limit.key.slice(0, limit.key.indexOf(':')), limit.windowSeconds);
  }
  return { hit: toRateLimitHit(row), claimed: Number(row.claimed) === 1 };
}

/** Undoes a claim whose challenge then failed verification (or met Horizon down), so it can be posted again. */
export async function releaseChallenge(db: Db, hash: string): Promise<void> {
  await db.deleteFrom('sep10_used_challenges').where('hash', '=', hash).execute();
}

export async function sweepExpiredChallenges(db: Db): Promise<number> {
  const res = await db
    .deleteFrom('sep10_used_challenges')
    .where('expires_at', '<', sql<Date>`now() - interval '10 minutes'`)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

import { type RawBuilder, sql } from 'kysely';
import type { Db } from './index.js';

/**
 * Fixed-window rate-limit counters in `rate_limit_buckets`, shared by every API process (the middleware is
 * api/middleware/rate-limit.ts).
 */

export interface RateLimitHit {
  /** Requests in the current window, this one included. */
  hits: number;
  /** Seconds until the window resets (at least 1). */
  resetIn: number;
}

/**
 * One atomic hit on the bucket `key` as a statement of its own or a CTE (`returning hits, reset_in`), so a caller
 * can combine it with its own write in one round trip (the SEP-10 replay claim does).
 */
export function rateLimitHitSql(key: string, windowSeconds: number): RawBuilder<unknown> {
  return sql`
    insert into rate_limit_buckets as b (key, window_start, hits) values (${key}, now(), 1)
    on conflict (key) do update set
      hits = case when b.window_start <= now() - make_interval(secs => ${windowSeconds}) then 1 else b.hits + 1 end,
      window_start = case when b.window_start <= now() - make_interval(secs => ${windowSeconds})
                     then now() else b.window_start end
    returning hits, extract(epoch from (window_start + make_interval(secs => ${windowSeconds}) - now())) as reset_in
  `;
}

export function toRateLimitHit(row: { hits: number; reset_in: string | number }): RateLimitHit {
  return { hits: Number(row.hits), resetIn: Math.max(1, Math.ceil(Number(row.reset_in))) };
}

/** Counts one request on `key` (one statement). */
export async function hitRateLimit(db: Db, key: string, windowSeconds: number): Promise<RateLimitHit> {
  const { rows } = await sql<{
    hits: number;
    reset_in: string;
  }>`${rateLimitHitSql(key, windowSeconds)}`.execute(db);
  if (Math.random() < 0.01) void sweep(db, key.slice(0, key.indexOf(':')), windowSeconds);
  return toRateLimitHit(rows[0]!);
}

/** Drops buckets whose window ended long ago, so the table stays the size of the active client set. */
export async function sweep(db: Db, name: string, windowSeconds: number): Promise<void> {
  await db
    .deleteFrom('rate_limit_buckets')
    .where('key', 'like', `${name}:%`)
    .where('window_start', '<', sql<Date>`now() - make_interval(secs => ${windowSeconds * 2})`)
    .execute()
    .catch(() => {});
}

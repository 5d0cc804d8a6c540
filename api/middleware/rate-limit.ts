import type { Context, MiddlewareHandler } from 'hono';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/index.js';

export interface RateLimitOptions {
  /** Bucket namespace, e.g. `sep10-challenge`; one counter per name and client key. */
  name: string;
  /** Requests allowed per window; 0 turns the limit off. */
  max: number;
  windowSeconds: number;
  /** The client key; by default the client IP (see clientIp). */
  key: (c: Context) => string;
}

/**
 * The client's IP. Behind `trustedProxyHops` reverse proxies it is the hops-th X-Forwarded-For entry from the
 * right (the address the outermost trusted proxy saw); entries further left are client-controlled. Without
 * proxies it is the socket's address. In-process requests (tests) have neither and share the key `unknown`.
 */
export function clientIp(c: Context, trustedProxyHops: number): string {
  if (trustedProxyHops > 0) {
    const forwarded = (c.req.header('X-Forwarded-For') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const ip = forwarded[forwarded.length - trustedProxyHops];
    if (ip) return ip;
  }
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

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

/** Sets the RateLimit-* headers of `hit`; over the limit, the 429 `{"error"}` response with Retry-After. */
export function applyRateLimit(
  c: Context,
  opts: Pick<RateLimitOptions, 'max' | 'windowSeconds'>,
  hit: RateLimitHit,
): Response | undefined {
  c.header('RateLimit-Limit', String(opts.max));
  c.header('RateLimit-Remaining', String(Math.max(0, opts.max - hit.hits)));
  c.header('RateLimit-Reset', String(hit.resetIn));
  if (hit.hits <= opts.max) return undefined;
  return c.json(
    {
      error: `too many requests: at most ${opts.max} every ${opts.windowSeconds} s; retry in ${hit.resetIn} s`,
    },
    429,
    { 'Retry-After': String(hit.resetIn) },
  );
}

/**
 * Fixed-window rate limiting with the counters in Postgres, so any number of API processes share one limit
 * (the API keeps no state of its own). One atomic upsert per request; over the limit answers 429
 * `{"error"}` with Retry-After (S10-17 allows "too many challenges" errors).
 */
export function rateLimit(db: Db, opts: RateLimitOptions): MiddlewareHandler {
  return async (c, next) => {
    if (opts.max <= 0) return next();
    const hit = await hitRateLimit(db, `${opts.name}:${opts.key(c)}`, opts.windowSeconds);
    const limited = applyRateLimit(c, opts, hit);
    if (limited) return limited;
    await next();
  };
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

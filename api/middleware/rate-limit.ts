import type { Context, MiddlewareHandler } from 'hono';
import { sql } from 'kysely';
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

/**
 * Fixed-window rate limiting with the counters in Postgres, so any number of API processes share one limit
 * (the API keeps no state of its own). One atomic upsert per request; over the limit answers 429
 * `{"error"}` with Retry-After (S10-17 allows "too many challenges" errors).
 */
export function rateLimit(db: Db, opts: RateLimitOptions): MiddlewareHandler {
  const window = opts.windowSeconds;
  return async (c, next) => {
    if (opts.max <= 0) return next();
    const key = `${opts.name}:${opts.key(c)}`;
    const { rows } = await sql<{ hits: number; reset_in: string }>`
      insert into rate_limit_buckets as b (key, window_start, hits) values (${key}, now(), 1)
      on conflict (key) do update set
        hits = case when b.window_start <= now() - make_interval(secs => ${window}) then 1 else b.hits + 1 end,
        window_start = case when b.window_start <= now() - make_interval(secs => ${window})
                       then now() else b.window_start end
      returning hits, extract(epoch from (window_start + make_interval(secs => ${window}) - now())) as reset_in
    `.execute(db);
    const { hits, reset_in } = rows[0]!;
    const resetIn = Math.max(1, Math.ceil(Number(reset_in)));
    if (Math.random() < 0.01) void sweep(db, opts.name, window);
    c.header('RateLimit-Limit', String(opts.max));
    c.header('RateLimit-Remaining', String(Math.max(0, opts.max - hits)));
    c.header('RateLimit-Reset', String(resetIn));
    if (hits > opts.max) {
      return c.json(
        { error: `too many requests: at most ${opts.max} every ${window} s; retry in ${resetIn} s` },
        429,
        { 'Retry-After': String(resetIn) },
      );
    }
    await next();
  };
}

/** Drops buckets whose window ended long ago, so the table stays the size of the active client set. */
async function sweep(db: Db, name: string, windowSeconds: number): Promise<void> {
  await db
    .deleteFrom('rate_limit_buckets')
    .where('key', 'like', `${name}:%`)
    .where('window_start', '<', sql<Date>`now() - make_interval(secs => ${windowSeconds * 2})`)
    .execute()
    .catch(() => {});
}

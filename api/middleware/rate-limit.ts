import type { Context, MiddlewareHandler } from 'hono';
import type { Db } from '../../db/index.js';
import { hitRateLimit, type RateLimitHit } from '../../db/rate-limit.js';

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

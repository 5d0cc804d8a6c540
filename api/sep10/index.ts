import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { hitRateLimit } from '../../db/rate-limit.js';
import { claimChallenge, claimChallengeWithinLimit, releaseChallenge } from '../../db/sep10-challenges.js';
import type { ApiDeps } from '../deps.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest, describeZodError, HttpError } from '../middleware/errors.js';
import { applyRateLimit, clientIp, rateLimit } from '../middleware/rate-limit.js';
import { createChallenge } from './challenge.js';
import { issueToken, publicJwks } from './jwt.js';
import {
  type AccountSigners,
  horizonAccountSigners,
  type ReadChallenge,
  readSignedChallenge,
  verifyChallengeSigners,
} from './verify.js';

const challengeQuery = z.object({
  account: z.string({ error: 'account is required' }).min(1, 'account is required'),
  memo: z.string().optional(),
  home_domain: z.string().optional(),
  client_domain: z.string().optional(),
});

export interface Sep10Deps extends Pick<ApiDeps, 'config' | 'db' | 'fetch'> {
  /** Signers of an account; Horizon by default. */
  accountSigners?: AccountSigners;
}

/** `transaction` from a form-urlencoded, multipart or JSON body (S10-18: both encodings equally). */
async function readTransaction(c: Context): Promise<string> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  let body: Record<string, unknown>;
  if (type === 'application/json') {
    try {
      body = (await c.req.json()) as Record<string, unknown>;
    } catch {
      throw badRequest('request body is not valid JSON');
    }
  } else if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
    body = (await c.req.parseBody()) as Record<string, unknown>;
  } else {
    throw badRequest('send the transaction as application/json or application/x-www-form-urlencoded');
  }
  const transaction = body && typeof body === 'object' ? body.transaction : undefined;
  if (typeof transaction !== 'string' || transaction.trim() === '') {
    throw badRequest('transaction is required: the signed challenge as base64 XDR');
  }
  return transaction.trim();
}

/**
 * SEP-10 at WEB_AUTH_ENDPOINT (S10-01..38): GET a challenge, POST it back signed for a token. Both are rate
 * limited per client IP with the counters in Postgres; a challenge buys exactly one token.
 */
export function sep10App(deps: Sep10Deps) {
  const { config, db } = deps;
  const app = new Hono<AuthEnv>();
  const loadSigners = deps.accountSigners ?? horizonAccountSigners(config);
  const fetchImpl = deps.fetch ?? fetch;
  const limit = (name: string) =>
    rateLimit(db, {
      name,
      max: config.sep10.rateLimit.max,
      windowSeconds: config.sep10.rateLimit.windowSeconds,
      key: (c) => clientIp(c, config.sep10.trustedProxyHops),
    });

  app.get('/', limit('sep10-challenge'), async (c) => {
    const parsed = challengeQuery.safeParse(c.req.query());
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const q = parsed.data;
    const challenge = await createChallenge(
      config,
      { account: q.account, memo: q.memo, homeDomain: q.home_domain, clientDomain: q.client_domain },
      {
        fetch: fetchImpl,
        timeoutMs: config.sep10.clientDomainTimeoutMs,
        allowHttpLocal: config.sep10.allowHttpClientDomains,
      },
    );
    return c.json(challenge);
  });

  const tokenLimit = {
    max: config.sep10.rateLimit.max,
    windowSeconds: config.sep10.rateLimit.windowSeconds,
  };
  const tokenLimitKey = (c: Context) => `sep10-token:${clientIp(c, config.sep10.trustedProxyHops)}`;
  /** A POST that fails before its claim still counts, and over the limit it is a 429 first (as middleware would). */
  const countFailedPost = async (c: Context): Promise<Response | undefined> => {
    if (tokenLimit.max <= 0) return undefined;
    return applyRateLimit(c, tokenLimit, await hitRateLimit(db, tokenLimitKey(c), tokenLimit.windowSeconds));
  };

  /**
   * Checks that need no I/O first, then the rate-limit hit and the replay claim in one statement, then the
   * signers from Horizon; a challenge that fails there is released again. Per request: one Postgres round trip
   * and one Horizon GET.
   */
  app.post(
    '/',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: async (c) => {
        const limited = await countFailedPost(c);
        if (limited) return limited;
        throw new HttpError(413, 'request body is larger than 64 KB', 'payload_too_large');
      },
    }),
    async (c) => {
      let challenge: ReadChallenge;
      try {
        challenge = readSignedChallenge(config, await readTransaction(c));
      } catch (err) {
        const limited = await countFailedPost(c);
        if (limited) return limited;
        throw err;
      }
      const hash = challenge.hash.toString('hex');
      let claimed: boolean;
      if (tokenLimit.max > 0) {
        const result = await claimChallengeWithinLimit(
          db,
          { key: tokenLimitKey(c), ...tokenLimit },
          hash,
          challenge.maxTime,
        );
        const limited = applyRateLimit(c, tokenLimit, result.hit);
        if (limited) return limited;
        claimed = result.claimed;
      } else {
        claimed = await claimChallenge(db, hash, challenge.maxTime);
      }
      if (!claimed)
        throw badRequest('challenge has already been used: request a new one', 'challenge_replayed');
      let verified: Awaited<ReturnType<typeof verifyChallengeSigners>>;
      try {
        verified = await verifyChallengeSigners(config, loadSigners, challenge);
      } catch (err) {
        await releaseChallenge(db, hash);
        throw err;
      }
      const token = await issueToken(config, {
        sub: verified.sub,
        clientDomain: verified.clientDomain,
        homeDomain: verified.homeDomain,
        jti: verified.hash,
      });
      return c.json({ token });
    },
  );

  /** The identity a token carries: lets a wallet (and the e2e test) check a token against a protected route. */
  app.get('/whoami', requireSep10(config, 'sep24'), (c) => {
    const id = c.get('identity');
    return c.json({
      sub: id.sub,
      account: id.account,
      memo: id.memo ?? null,
      muxed_account: id.muxedAccount ?? null,
      client_domain: id.clientDomain ?? null,
      home_domain: id.homeDomain ?? null,
    });
  });

  /** Public keys of EdDSA/ES256 tokens, for services that verify them independently (empty with HS256). */
  app.get('/jwks.json', (c) => c.json(publicJwks(config)));

  return app;
}

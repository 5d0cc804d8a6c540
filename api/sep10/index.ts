import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { hitRateLimit } from '../../db/rate-limit.js';
import { claimChallenge, claimChallengeWithinLimit, releaseChallenge } from '../../db/sep10-challenges.js';
import type { ApiDeps } from '../deps.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest, describeZodError, HttpError } from '../middleware/errors.js';
import { applyRateLimit, clientIp, rateLimit } from '../middleware/rate-limit.js';
import {
  acceptBodies,
  bodyOf,
  JSON_TYPE,
  MULTIPART_TYPE,
  URLENCODED_TYPE,
  validBody,
} from '../openapi/bodies.js';
import { text } from '../openapi/fields.js';
import { createRouter } from '../openapi/hono.js';
import { errorResponse, json, sep10Security } from '../openapi/responses.js';
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
  account: text(69).min(1, 'is required').describe('G... or M... account (or C... contract) to authenticate'),
  memo: text(64).optional().describe('id memo of a shared account (S10-05)'),
  home_domain: text(253).optional(),
  client_domain: text(253).optional().describe('the wallet domain whose stellar.toml SIGNING_KEY co-signs'),
});

const TRANSACTION_REQUIRED = 'is required: the signed challenge as base64 XDR';
/** S10-18: POST /auth takes JSON and forms alike. */
const tokenRequest = z.object({
  transaction: z
    .string({ error: TRANSACTION_REQUIRED })
    .max(60_000, 'must be at most 60000 characters')
    .refine((v) => v.trim() !== '', TRANSACTION_REQUIRED)
    .describe('the signed challenge, base64 XDR'),
});
const TOKEN_BODY_TYPES = [JSON_TYPE, URLENCODED_TYPE, MULTIPART_TYPE] as const;

const challengeAnswer = z.object({ transaction: z.string(), network_passphrase: z.string() });
const tokenAnswer = z.object({ token: z.string() });
const identityAnswer = z.object({
  sub: z.string(),
  account: z.string(),
  memo: z.string().nullable(),
  muxed_account: z.string().nullable(),
  client_domain: z.string().nullable(),
  home_domain: z.string().nullable(),
});
/** Described without a body schema: the limiter answers it directly (`{"error"}` with Retry-After). */
const tooMany = {
  description: 'too many requests from this IP: `{"error"}`, Retry-After says when to retry',
};

export interface Sep10Deps extends Pick<ApiDeps, 'config' | 'db' | 'fetch'> {
  /** Signers of an account; Horizon by default. */
  accountSigners?: AccountSigners;
}

/**
 * SEP-10 at WEB_AUTH_ENDPOINT (S10-01..38): GET a challenge, POST it back signed for a token. Both are rate
 * limited per client IP with the counters in Postgres; a challenge buys exactly one token.
 */
export function sep10App(deps: Sep10Deps) {
  const { config, db } = deps;
  const app = createRouter<AuthEnv>();
  const loadSigners = deps.accountSigners ?? horizonAccountSigners(config);
  const fetchImpl = deps.fetch ?? fetch;
  const limit = (name: string) =>
    rateLimit(db, {
      name,
      max: config.sep10.rateLimit.max,
      windowSeconds: config.sep10.rateLimit.windowSeconds,
      key: (c) => clientIp(c, config.sep10.trustedProxyHops),
    });

  const challengeRoute = createRoute({
    method: 'get',
    path: '/',
    tags: ['SEP-10'],
    summary: 'Challenge transaction',
    middleware: [limit('sep10-challenge')],
    request: { query: challengeQuery },
    responses: {
      200: json(challengeAnswer, 'the challenge to sign'),
      400: errorResponse('bad account, memo or domain'),
      429: tooMany,
    },
  });
  app.openapi(challengeRoute, async (c) => {
    const q = c.req.valid('query');
    const challenge = await createChallenge(
      config,
      { account: q.account, memo: q.memo, homeDomain: q.home_domain, clientDomain: q.client_domain },
      {
        fetch: fetchImpl,
        timeoutMs: config.sep10.clientDomainTimeoutMs,
        allowHttpLocal: config.sep10.allowHttpClientDomains,
      },
    );
    return c.json(challenge, 200);
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
  const refuseCounted = async (c: Context, message: string): Promise<Response> => {
    const limited = await countFailedPost(c);
    if (limited) return limited;
    throw new HttpError(400, message, 'bad_request');
  };
  /** A body the schema refuses still counts against the limit, and over it is a 429 first. */
  const countingFailures =
    (gate: MiddlewareHandler): MiddlewareHandler =>
    async (c, next) => {
      try {
        await gate(c, next);
      } catch (err) {
        const limited = await countFailedPost(c);
        if (limited) return limited;
        throw err;
      }
    };
  const tokenRoute = createRoute({
    method: 'post',
    path: '/',
    tags: ['SEP-10'],
    summary: 'Exchange a signed challenge for a JWT',
    middleware: [
      bodyLimit({
        maxSize: 64 * 1024,
        onError: async (c) => {
          const limited = await countFailedPost(c);
          if (limited) return limited;
          throw new HttpError(413, 'request body is larger than 64 KB', 'payload_too_large');
        },
      }),
      countingFailures(
        acceptBodies(tokenRequest, TOKEN_BODY_TYPES, {
          status: 400,
          message: 'send the transaction as application/json or application/x-www-form-urlencoded',
        }),
      ),
    ],
    request: { body: bodyOf(tokenRequest, TOKEN_BODY_TYPES) },
    responses: {
      200: json(tokenAnswer, 'the SEP-10 JWT'),
      400: errorResponse('invalid challenge, signatures or body'),
      413: errorResponse('body over 64 KB'),
      429: tooMany,
    },
  });

  /**
   * Checks that need no I/O first, then the rate-limit hit and the replay claim in one statement, then the
   * signers from Horizon; a challenge that fails there is released again. Per request: one Postgres round trip
   * and one Horizon GET.
   */
  app.openapi(
    tokenRoute,
    async (c) => {
      let challenge: ReadChallenge;
      try {
        const { transaction } = validBody<z.output<typeof tokenRequest>>(c);
        challenge = readSignedChallenge(config, transaction.trim());
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
      return c.json({ token }, 200);
    },
    // A body the schema refuses counts against the limit like any failed POST.
    (result, c) => (result.success ? undefined : refuseCounted(c, describeZodError(result.error))),
  );

  /** The identity a token carries: lets a wallet (and the e2e test) check a token against a protected route. */
  const whoamiRoute = createRoute({
    method: 'get',
    path: '/whoami',
    tags: ['SEP-10'],
    summary: 'The identity of a SEP-10 token (debugging)',
    security: sep10Security,
    middleware: [requireSep10(config, 'sep24')],
    responses: {
      200: json(identityAnswer, 'what the token says'),
      403: json(z.object({ type: z.literal('authentication_required') }), 'no, a bad or an expired token'),
    },
  });
  app.openapi(whoamiRoute, (c) => {
    const id = c.get('identity');
    return c.json(
      {
        sub: id.sub,
        account: id.account,
        memo: id.memo ?? null,
        muxed_account: id.muxedAccount ?? null,
        client_domain: id.clientDomain ?? null,
        home_domain: id.homeDomain ?? null,
      },
      200,
    );
  });

  /** Public keys of EdDSA/ES256 tokens, for services that verify them independently (empty with HS256). */
  const jwksRoute = createRoute({
    method: 'get',
    path: '/jwks.json',
    tags: ['SEP-10'],
    summary: 'Public keys of asymmetric SEP-10 JWTs',
    responses: { 200: json(z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), 'JWKS') },
  });
  app.openapi(jwksRoute, (c) => c.json(publicJwks(config), 200));

  return app;
}

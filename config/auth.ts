import type { BuildContext } from './context.js';
import { parseJwtPrivateKey, parseJwtPublicKey } from './jwt-keys.js';
import { sandboxJwtSecret } from './sandbox-keys.js';
import type { Env } from './schema.js';

const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:\d{1,5})?$/;

/**
 * SEP-10 token signing (S10-33..37) and the SEP-10 endpoint. HS256 uses `jwtSecret`; EdDSA/ES256 use
 * `jwtPrivateKey` (PEM or JWK).
 */
export function buildAuthConfig(e: Env, ctx: BuildContext) {
  if (e.JWT_ALGORITHM !== 'HS256') {
    if (!e.JWT_PRIVATE_KEY) {
      ctx.issues.push({
        key: 'JWT_PRIVATE_KEY',
        message: `required when JWT_ALGORITHM is ${e.JWT_ALGORITHM}`,
      });
    } else {
      try {
        parseJwtPrivateKey(e.JWT_PRIVATE_KEY, e.JWT_ALGORITHM);
      } catch (err) {
        ctx.issues.push({ key: 'JWT_PRIVATE_KEY', message: (err as Error).message });
      }
    }
  }
  return {
    auth: {
      jwtSecret: e.JWT_SECRET ?? sandboxJwtSecret(),
      jwtExpiresInSeconds: e.JWT_EXPIRES_IN_SECONDS,
      jwtAlgorithm: e.JWT_ALGORITHM,
      jwtPrivateKey: e.JWT_PRIVATE_KEY,
      /** The key being rotated out: its tokens are still accepted until they expire (and until `acceptUntil`). */
      jwtPrevious: previousJwtKey(e, ctx),
    },
    sep10: {
      /** Home domains we authenticate for; the first is the default (S10-04). */
      homeDomains: homeDomains(e, ctx),
      /** The `web_auth_domain` op value challenges carry and POST /auth requires (S10-13). */
      webAuthDomain: webAuthDomain(e, ctx),
      challengeTimeoutSeconds: e.SEP10_CHALLENGE_TIMEOUT_SECONDS,
      clientDomainTimeoutMs: e.SEP10_CLIENT_DOMAIN_TIMEOUT_MS,
      /** Plain-http client_domain tomls for localhost domains: sandbox profile only. */
      allowHttpClientDomains: ctx.sandbox,
      rateLimit: { max: e.SEP10_RATE_LIMIT_MAX, windowSeconds: e.SEP10_RATE_LIMIT_WINDOW_SECONDS },
      trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    },
  };
}

function previousJwtKey(e: Env, ctx: BuildContext) {
  if (!e.JWT_PREVIOUS_SECRET && !e.JWT_PREVIOUS_PUBLIC_KEY) return undefined;
  const algorithm = e.JWT_PREVIOUS_ALGORITHM ?? e.JWT_ALGORITHM;
  if (algorithm === 'HS256' && !e.JWT_PREVIOUS_SECRET) {
    ctx.issues.push({ key: 'JWT_PREVIOUS_SECRET', message: 'required when the previous algorithm is HS256' });
  }
  if (algorithm !== 'HS256') {
    if (!e.JWT_PREVIOUS_PUBLIC_KEY) {
      ctx.issues.push({
        key: 'JWT_PREVIOUS_PUBLIC_KEY',
        message: `required when the previous algorithm is ${algorithm}`,
      });
    } else {
      try {
        parseJwtPublicKey(e.JWT_PREVIOUS_PUBLIC_KEY, algorithm);
      } catch (err) {
        ctx.issues.push({ key: 'JWT_PREVIOUS_PUBLIC_KEY', message: (err as Error).message });
      }
    }
  }
  return {
    algorithm,
    secret: e.JWT_PREVIOUS_SECRET,
    publicKey: e.JWT_PREVIOUS_PUBLIC_KEY,
    acceptUntil: e.JWT_PREVIOUS_ACCEPT_UNTIL ? new Date(e.JWT_PREVIOUS_ACCEPT_UNTIL) : undefined,
  };
}

/**
 * SEP10_WEB_AUTH_DOMAIN, else the host of WEB_AUTH_ENDPOINT (S10-13; the SEP validator compares `URL.host`, port
 * included). The sandbox default drops the port: the official wallet SDK compares the value with
 * `new URL(WEB_AUTH_ENDPOINT).hostname`, so `localhost:8000` would lock it out. Behind an https URL without a
 * port both readings are the same value.
 */
function webAuthDomain(e: Env, ctx: BuildContext): string {
  const url = new URL(`${ctx.publicUrl}/auth`);
  const domain = e.SEP10_WEB_AUTH_DOMAIN?.trim() || (ctx.sandbox ? url.hostname : url.host);
  if (!HOST.test(domain)) {
    ctx.issues.push({ key: 'SEP10_WEB_AUTH_DOMAIN', message: `"${domain}" is not a host name` });
  } else if (Buffer.byteLength(domain) > 64) {
    ctx.issues.push({ key: 'SEP10_WEB_AUTH_DOMAIN', message: `"${domain}" is longer than 64 bytes` });
  }
  return domain;
}

function homeDomains(e: Env, ctx: BuildContext): string[] {
  const domains = (e.SEP10_HOME_DOMAINS ?? ctx.homeDomain)
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (domains.length === 0) domains.push(ctx.homeDomain);
  for (const domain of domains) {
    if (!HOST.test(domain)) {
      ctx.issues.push({ key: 'SEP10_HOME_DOMAINS', message: `"${domain}" is not a host name` });
    } else if (Buffer.byteLength(`${domain} auth`) > 64) {
      ctx.issues.push({
        key: 'SEP10_HOME_DOMAINS',
        message: `"${domain} auth" is longer than a 64-byte ManageData key`,
      });
    }
  }
  return domains;
}

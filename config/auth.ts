import { type JwtAlgorithm, parseJwtPrivateKey, parseJwtPublicKey } from './jwt-keys.js';
import type { Env, Profile } from './schema.js';

/** SEP-10 token signing (S10-33..37). HS256 uses `jwtSecret`; EdDSA/ES256 use `jwtPrivateKey` (PEM or JWK). */
export interface AuthConfig {
  jwtSecret: string;
  jwtExpiresInSeconds: number;
  jwtAlgorithm: JwtAlgorithm;
  jwtPrivateKey: string | undefined;
  /** The key being rotated out: its tokens are still accepted until they expire (and until `acceptUntil`). */
  jwtPrevious:
    | {
        algorithm: JwtAlgorithm;
        secret: string | undefined;
        publicKey: string | undefined;
        acceptUntil: Date | undefined;
      }
    | undefined;
}

export interface Sep10Config {
  /** Home domains we authenticate for; the first is the default (S10-04). */
  homeDomains: string[];
  /** Host of WEB_AUTH_ENDPOINT, the `web_auth_domain` op value (S10-13). */
  webAuthDomain: string;
  challengeTimeoutSeconds: number;
  clientDomainTimeoutMs: number;
  /** Plain-http client_domain tomls for localhost domains: sandbox profile only. */
  allowHttpClientDomains: boolean;
  rateLimit: { max: number; windowSeconds: number };
  trustedProxyHops: number;
}

export interface Sep1Config {
  documentation: {
    orgName: string;
    orgUrl: string;
    orgLogo: string;
    orgDescription: string;
    orgPhysicalAddress: string;
    orgOfficialEmail: string;
    orgSupportEmail: string;
  };
  currency: {
    status: 'live' | 'dead' | 'test' | 'private';
    displayDecimals: number;
    name: string;
    desc: string;
    isAssetAnchored: boolean;
    anchorAssetType: Env['ASSET_ANCHOR_TYPE'];
    anchorAsset: string;
    redemptionInstructions: string;
  };
  extraAccounts: string[];
}

interface Issue {
  key: string;
  message: string;
}

const HOST =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:\d{1,5})?$/;

/** Builds the SEP-1/SEP-10/JWT blocks of AppConfig, pushing every problem into `issues`. */
export function buildAuthConfig(
  e: Env,
  ctx: { profile: Profile; publicUrl: string; homeDomain: string; sandboxJwtSecret: string },
  issues: Issue[],
): { auth: AuthConfig; sep10: Sep10Config; sep1: Sep1Config } {
  const sandbox = ctx.profile === 'sandbox';

  // X-01 / S1-09: every URL the toml publishes is https, except a sandbox on this machine.
  if (!sandbox && e.PUBLIC_URL && !e.PUBLIC_URL.startsWith('https://')) {
    issues.push({ key: 'PUBLIC_URL', message: `must be an https:// URL for the ${ctx.profile} profile` });
  }

  if (e.JWT_ALGORITHM === 'HS256') {
    if (!sandbox && !e.JWT_SECRET)
      issues.push({ key: 'JWT_SECRET', message: `required for the ${ctx.profile} profile` });
  } else if (!e.JWT_PRIVATE_KEY) {
    issues.push({ key: 'JWT_PRIVATE_KEY', message: `required when JWT_ALGORITHM is ${e.JWT_ALGORITHM}` });
  } else {
    try {
      parseJwtPrivateKey(e.JWT_PRIVATE_KEY, e.JWT_ALGORITHM);
    } catch (err) {
      issues.push({ key: 'JWT_PRIVATE_KEY', message: (err as Error).message });
    }
  }

  let jwtPrevious: AuthConfig['jwtPrevious'];
  if (e.JWT_PREVIOUS_SECRET || e.JWT_PREVIOUS_PUBLIC_KEY) {
    const algorithm = e.JWT_PREVIOUS_ALGORITHM ?? e.JWT_ALGORITHM;
    if (algorithm === 'HS256' && !e.JWT_PREVIOUS_SECRET) {
      issues.push({ key: 'JWT_PREVIOUS_SECRET', message: 'required when the previous algorithm is HS256' });
    }
    if (algorithm !== 'HS256') {
      if (!e.JWT_PREVIOUS_PUBLIC_KEY) {
        issues.push({
          key: 'JWT_PREVIOUS_PUBLIC_KEY',
          message: `required when the previous algorithm is ${algorithm}`,
        });
      } else {
        try {
          parseJwtPublicKey(e.JWT_PREVIOUS_PUBLIC_KEY, algorithm);
        } catch (err) {
          issues.push({ key: 'JWT_PREVIOUS_PUBLIC_KEY', message: (err as Error).message });
        }
      }
    }
    jwtPrevious = {
      algorithm,
      secret: e.JWT_PREVIOUS_SECRET,
      publicKey: e.JWT_PREVIOUS_PUBLIC_KEY,
      acceptUntil: e.JWT_PREVIOUS_ACCEPT_UNTIL ? new Date(e.JWT_PREVIOUS_ACCEPT_UNTIL) : undefined,
    };
  }

  const homeDomains = (e.SEP10_HOME_DOMAINS ?? ctx.homeDomain)
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (homeDomains.length === 0) homeDomains.push(ctx.homeDomain);
  for (const domain of homeDomains) {
    if (!HOST.test(domain)) {
      issues.push({ key: 'SEP10_HOME_DOMAINS', message: `"${domain}" is not a host name` });
    } else if (Buffer.byteLength(`${domain} auth`) > 64) {
      issues.push({
        key: 'SEP10_HOME_DOMAINS',
        message: `"${domain} auth" is longer than a 64-byte ManageData key`,
      });
    }
  }

  const orgUrl = (e.ORG_URL ?? ctx.publicUrl).replace(/\/+$/, '');
  if (!sandbox && !orgUrl.startsWith('https://')) {
    issues.push({ key: 'ORG_URL', message: `must be an https:// URL for the ${ctx.profile} profile` });
  }
  const orgHost = new URL(orgUrl).hostname;

  return {
    auth: {
      jwtSecret: e.JWT_SECRET ?? ctx.sandboxJwtSecret,
      jwtExpiresInSeconds: e.JWT_EXPIRES_IN_SECONDS,
      jwtAlgorithm: e.JWT_ALGORITHM,
      jwtPrivateKey: e.JWT_PRIVATE_KEY,
      jwtPrevious,
    },
    sep10: {
      homeDomains,
      webAuthDomain: new URL(`${ctx.publicUrl}/auth`).host,
      challengeTimeoutSeconds: e.SEP10_CHALLENGE_TIMEOUT_SECONDS,
      clientDomainTimeoutMs: e.SEP10_CLIENT_DOMAIN_TIMEOUT_MS,
      allowHttpClientDomains: sandbox,
      rateLimit: { max: e.SEP10_RATE_LIMIT_MAX, windowSeconds: e.SEP10_RATE_LIMIT_WINDOW_SECONDS },
      trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    },
    sep1: {
      documentation: {
        orgName: e.ORG_NAME,
        orgUrl,
        orgLogo: e.ORG_LOGO ?? `${ctx.publicUrl}/.well-known/logo.png`,
        orgDescription: e.ORG_DESCRIPTION,
        orgPhysicalAddress: e.ORG_PHYSICAL_ADDRESS,
        orgOfficialEmail: e.ORG_OFFICIAL_EMAIL ?? `anchor@${orgHost}`,
        orgSupportEmail: e.ORG_SUPPORT_EMAIL ?? `support@${orgHost}`,
      },
      currency: {
        status: e.ASSET_STATUS ?? (ctx.profile === 'mainnet' ? 'live' : 'test'),
        displayDecimals: e.ASSET_DISPLAY_DECIMALS,
        name: e.ASSET_NAME ?? e.ASSET_CODE,
        desc:
          e.ASSET_DESC ??
          `${e.ASSET_CODE} is redeemable one to one for ${e.ASSET_ANCHOR_ASSET} held in reserve by the anchor.`,
        isAssetAnchored: e.ASSET_IS_ANCHORED,
        anchorAssetType: e.ASSET_ANCHOR_TYPE,
        anchorAsset: e.ASSET_ANCHOR_ASSET,
        redemptionInstructions: e.ASSET_REDEMPTION_INSTRUCTIONS,
      },
      extraAccounts: e.SEP1_EXTRA_ACCOUNTS.split(',').filter((a) => a !== ''),
    },
  };
}

import { randomUUID } from 'node:crypto';
import { MuxedAccount } from '@stellar/stellar-sdk';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { AppConfig } from '../../config/index.js';

/**
 * SEP-10 session tokens (checklist S10-33..37). The identity a token carries is the key of every customer and
 * transaction the wallet touches.
 */
export interface Sep10Identity {
  /** JWT `sub`: `G...`, `G...:<memo>` or `M...` (S10-34). */
  sub: string;
  /** The underlying G... account (for M... the account it multiplexes). */
  account: string;
  /** The id memo of a shared account, or the muxed id of an M... account. */
  memo: string | undefined;
  /** The M... address when the client authenticated as a muxed account. */
  muxedAccount: string | undefined;
  clientDomain: string | undefined;
  homeDomain: string | undefined;
  jti: string;
}

export interface IssueTokenInput {
  sub: string;
  clientDomain?: string | undefined;
  homeDomain?: string | undefined;
  /** Challenge transaction hash, so one challenge maps to one token (S10-31, S10-37). */
  jti?: string;
  /** Seconds since epoch; tests pin it. */
  now?: number;
}

export function tokenIssuer(config: AppConfig): string {
  return `${config.api.publicUrl}/auth`;
}

function hmacKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function issueToken(config: AppConfig, input: IssueTokenInput): Promise<string> {
  const iat = input.now ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    ...(input.clientDomain ? { client_domain: input.clientDomain } : {}),
    ...(input.homeDomain ? { home_domain: input.homeDomain } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(tokenIssuer(config))
    .setSubject(input.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.auth.jwtExpiresInSeconds)
    .setJti(input.jti ?? randomUUID());
  return jwt.sign(hmacKey(config.auth.jwtSecret));
}

export class InvalidTokenError extends Error {
  readonly code = 'invalid_token';
}

/** Parses a `sub` into its parts; throws InvalidTokenError when it is not one of the three SEP-10 forms. */
export function parseSub(sub: string): Pick<Sep10Identity, 'account' | 'memo' | 'muxedAccount'> {
  const g = /^(G[A-Z2-7]{55})(?::(\d{1,20}))?$/.exec(sub);
  if (g) return { account: g[1]!, memo: g[2], muxedAccount: undefined };
  if (/^M[A-Z2-7]{68}$/.test(sub)) {
    const muxed = MuxedAccount.fromAddress(sub, '0');
    return { account: muxed.baseAccount().accountId(), memo: muxed.id(), muxedAccount: sub };
  }
  throw new InvalidTokenError(`unsupported sub: ${sub}`);
}

import * as StellarSdk from '@stellar/stellar-sdk';

function requireStellar() {
  return StellarSdk;
}

/** Verifies signature, algorithm (HS256 only: `alg: none` and foreign keys fail), `exp` and `iss`. */
export async function verifyToken(config: AppConfig, token: string): Promise<Sep10Identity> {
  try {
    const { payload } = await jwtVerify(token, hmacKey(config.auth.jwtSecret), {
      algorithms: ['HS256'],
      issuer: tokenIssuer(config),
      requiredClaims: ['sub', 'iat', 'exp'],
    });
    const sub = payload.sub!;
    return {
      sub,
      ...parseSub(sub),
      clientDomain: typeof payload.client_domain === 'string' ? payload.client_domain : undefined,
      homeDomain: typeof payload.home_domain === 'string' ? payload.home_domain : undefined,
      jti: typeof payload.jti === 'string' ? payload.jti : '',
    };
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof joseErrors.JOSEError) throw new InvalidTokenError(err.code);
    throw new InvalidTokenError('malformed token');
  }
}

import { createHash, createHmac, createPublicKey, type KeyObject, randomUUID, sign } from 'node:crypto';
import { decodeProtectedHeader, type JWK, errors as joseErrors, jwtVerify } from 'jose';
import type { AppConfig } from '../../config/index.js';
import { type JwtAlgorithm, parseJwtPrivateKey, parseJwtPublicKey } from '../../config/jwt-keys.js';
import { parseMuxedAddress } from '../../stellar/muxed.js';

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

interface TokenKey {
  alg: JwtAlgorithm;
  kid: string;
  /** HS256: the secret bytes; EdDSA/ES256: a private key (signing) or public key (verifying). */
  key: Uint8Array | KeyObject;
  /** A rotated-out key stops verifying after this instant. */
  acceptUntil: Date | undefined;
}

interface KeySet {
  signing: TokenKey;
  /** Current key first, then the previous one during a rotation. */
  verifying: TokenKey[];
  /** Public JWKs of the asymmetric verifying keys (GET /auth/jwks.json). */
  jwks: JWK[];
}

function kidOf(material: Buffer | string): string {
  return createHash('sha256').update('sep10-jwt-kid:').update(material).digest('base64url').slice(0, 16);
}

function hmacKey(secret: string, acceptUntil?: Date): TokenKey {
  return { alg: 'HS256', kid: kidOf(secret), key: new TextEncoder().encode(secret), acceptUntil };
}

function publicKid(publicKey: KeyObject): string {
  return kidOf(publicKey.export({ type: 'spki', format: 'der' }));
}

function buildKeySet(auth: AppConfig['auth']): KeySet {
  let signing: TokenKey;
  let current: TokenKey;
  const jwks: JWK[] = [];
  if (auth.jwtAlgorithm === 'HS256') {
    signing = hmacKey(auth.jwtSecret);
    current = signing;
  } else {
    const privateKey = parseJwtPrivateKey(auth.jwtPrivateKey ?? '', auth.jwtAlgorithm);
    const publicKey = createPublicKey(privateKey);
    const kid = publicKid(publicKey);
    signing = { alg: auth.jwtAlgorithm, kid, key: privateKey, acceptUntil: undefined };
    current = { alg: auth.jwtAlgorithm, kid, key: publicKey, acceptUntil: undefined };
    jwks.push({ ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: auth.jwtAlgorithm, use: 'sig' });
  }
  const verifying = [current];
  const prev = auth.jwtPrevious;
  if (prev) {
    if (prev.algorithm === 'HS256') {
      if (prev.secret) verifying.push(hmacKey(prev.secret, prev.acceptUntil));
    } else if (prev.publicKey) {
      const publicKey = parseJwtPublicKey(prev.publicKey, prev.algorithm);
      const kid = publicKid(publicKey);
      verifying.push({ alg: prev.algorithm, kid, key: publicKey, acceptUntil: prev.acceptUntil });
      jwks.push({ ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: prev.algorithm, use: 'sig' });
    }
  }
  return { signing, verifying, jwks };
}

// Parsed once per config (key import is the slow part of a token round trip).
const keySets = new WeakMap<AppConfig['auth'], KeySet>();
function keySet(config: AppConfig): KeySet {
  let set = keySets.get(config.auth);
  if (!set) {
    set = buildKeySet(config.auth);
    keySets.set(config.auth, set);
  }
  return set;
}

/** The public keys that verify our tokens, for services that check them on their own (empty for HS256). */
export function publicJwks(config: AppConfig): { keys: JWK[] } {
  return { keys: keySet(config).jwks };
}

/**
 * Signs with node:crypto directly (compact JWS): jose's sign goes through WebCrypto, whose promise job on the
 * thread pool cost more than the rest of the token. jose still verifies (verifyToken), so every token we issue is
 * checked by an independent implementation in the tests.
 */
function signJws(key: TokenKey, input: string): string {
  if (key.alg === 'HS256') {
    return createHmac('sha256', key.key as Uint8Array)
      .update(input)
      .digest('base64url');
  }
  const data = Buffer.from(input);
  if (key.alg === 'EdDSA') return sign(null, data, key.key as KeyObject).toString('base64url');
  return sign('sha256', data, { key: key.key as KeyObject, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function issueToken(config: AppConfig, input: IssueTokenInput): Promise<string> {
  const { signing } = keySet(config);
  const iat = input.now ?? Math.floor(Date.now() / 1000);
  const header = { alg: signing.alg, typ: 'JWT', kid: signing.kid };
  const payload = {
    ...(input.clientDomain ? { client_domain: input.clientDomain } : {}),
    ...(input.homeDomain ? { home_domain: input.homeDomain } : {}),
    iss: tokenIssuer(config),
    sub: input.sub,
    iat,
    exp: iat + config.auth.jwtExpiresInSeconds,
    jti: input.jti ?? randomUUID(),
  };
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  return `${signingInput}.${signJws(signing, signingInput)}`;
}

export class InvalidTokenError extends Error {
  readonly code = 'invalid_token';
}

/** Parses a `sub` into its parts; throws InvalidTokenError when it is not one of the three SEP-10 forms. */
export function parseSub(sub: string): Pick<Sep10Identity, 'account' | 'memo' | 'muxedAccount'> {
  const g = /^(G[A-Z2-7]{55})(?::(\d{1,20}))?$/.exec(sub);
  if (g) return { account: g[1]!, memo: g[2], muxedAccount: undefined };
  if (/^M[A-Z2-7]{68}$/.test(sub)) {
    try {
      const { account, id } = parseMuxedAddress(sub);
      return { account, memo: id, muxedAccount: sub };
    } catch {
      // falls through to the error below
    }
  }
  throw new InvalidTokenError(`unsupported sub: ${sub}`);
}

/** The keys a token may be checked with: the one its `kid` names, else every live key (tokens without kid). */
function candidateKeys(config: AppConfig, token: string): TokenKey[] {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new InvalidTokenError('malformed token header');
  }
  const now = Date.now();
  const live = keySet(config).verifying.filter((k) => !k.acceptUntil || k.acceptUntil.getTime() > now);
  // Only our own algorithms: `none` and anything a key was not made for never reach a verifier.
  const byAlg = live.filter((k) => k.alg === header.alg);
  if (byAlg.length === 0) throw new InvalidTokenError(`unaccepted algorithm ${String(header.alg)}`);
  if (header.kid === undefined) return byAlg;
  const named = byAlg.filter((k) => k.kid === header.kid);
  if (named.length === 0) throw new InvalidTokenError('unknown key id');
  return named;
}

/**
 * Verifies signature (current key, or the previous one during a rotation), algorithm (`alg: none` and foreign
 * keys fail), `exp` and `iss` (X-08, S10-33, S10-35).
 */
export async function verifyToken(config: AppConfig, token: string): Promise<Sep10Identity> {
  const keys = candidateKeys(config, token);
  let lastError: unknown;
  for (const k of keys) {
    try {
      const { payload } = await jwtVerify(token, k.key, {
        algorithms: [k.alg],
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
      lastError = err;
      // Only a bad signature is worth trying the next key for; an expired or foreign-issuer token is final.
      if (!(err instanceof joseErrors.JWSSignatureVerificationFailed)) break;
    }
  }
  if (lastError instanceof joseErrors.JOSEError) throw new InvalidTokenError(lastError.code);
  throw new InvalidTokenError('malformed token');
}

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** SEP-10 token algorithms we sign with (S10-37: the choice is ours). `none` is never among them. */
export const JWT_ALGORITHMS = ['HS256', 'EdDSA', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** Env values often carry PEM newlines as literal `\n`; JWK is JSON. */
function normalise(text: string): string {
  return text.includes('\\n') ? text.replace(/\\n/g, '\n') : text;
}

function isJwk(text: string): boolean {
  return text.trimStart().startsWith('{');
}

function expectKind(key: KeyObject, alg: Exclude<JwtAlgorithm, 'HS256'>): void {
  if (alg === 'EdDSA' && key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`EdDSA needs an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  if (alg === 'ES256') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (key.asymmetricKeyType !== 'ec' || (curve !== 'prime256v1' && curve !== 'P-256')) {
      throw new Error(
        `ES256 needs an EC P-256 key, got ${key.asymmetricKeyType ?? 'unknown'} ${curve ?? ''}`.trim(),
      );
    }
  }
}

/** Parses a PKCS#8 PEM or private JWK for signing; throws a message that never contains the key. */
export function parseJwtPrivateKey(text: string, alg: Exclude<JwtAlgorithm, 'HS256'>): KeyObject {
  let key: KeyObject;
  try {
    const value = normalise(text);
    key = isJwk(value)
      ? createPrivateKey({ key: JSON.parse(value), format: 'jwk' })
      : createPrivateKey({ key: value, format: 'pem' });
  } catch {
    throw new Error('is not a PKCS#8 PEM or JWK private key');
  }
  expectKind(key, alg);
  return key;
}

/** Parses a public (or private, whose public half is taken) PEM/JWK key for verification. */
export function parseJwtPublicKey(text: string, alg: Exclude<JwtAlgorithm, 'HS256'>): KeyObject {
  let key: KeyObject;
  try {
    const value = normalise(text);
    if (isJwk(value)) {
      const jwk = JSON.parse(value) as Record<string, unknown>;
      key =
        'd' in jwk
          ? createPublicKey(createPrivateKey({ key: jwk as never, format: 'jwk' }))
          : createPublicKey({ key: jwk as never, format: 'jwk' });
    } else {
      key = createPublicKey({ key: value, format: 'pem' });
    }
  } catch {
    throw new Error('is not a PEM or JWK key');
  }
  expectKind(key, alg);
  return key;
}

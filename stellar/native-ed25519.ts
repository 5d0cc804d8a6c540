import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * The Stellar SDK signs and verifies with a pure-JavaScript ed25519 (@noble/curves), a few milliseconds per
 * operation — most of the CPU of a SEP-10 round trip and of the sandbox ledger. This swaps the SDK's signing
 * primitive for Node's native one (OpenSSL). Same keys, same signatures (ed25519 is deterministic), strict
 * RFC 8032 verification like the SDK's (`zip215: false`). Everything else stays the SDK's own code.
 */
interface SigningModule {
  generate(secretKey: Uint8Array): Buffer;
  sign(data: Uint8Array, secretKey: Uint8Array): Buffer;
  verify(data: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const CACHE_LIMIT = 4096;

function cached<K>(cache: Map<string, K>, raw: Uint8Array, make: () => K): K {
  const id = Buffer.from(raw).toString('base64');
  let key = cache.get(id);
  if (!key) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    key = make();
    cache.set(id, key);
  }
  return key;
}

const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

const privateKey = (seed: Uint8Array) =>
  cached(privateKeys, seed, () =>
    createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
  );
const publicKey = (raw: Uint8Array) =>
  cached(publicKeys, raw, () =>
    createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' }),
  );

export function nativeSign(data: Uint8Array, seed: Uint8Array): Buffer {
  return sign(null, Buffer.from(data), privateKey(seed.subarray(0, 32)));
}

export function nativeVerify(data: Uint8Array, signature: Uint8Array, rawPublicKey: Uint8Array): boolean {
  if (signature.length !== 64 || rawPublicKey.length !== 32) return false;
  try {
    return verify(null, Buffer.from(data), publicKey(rawPublicKey), Buffer.from(signature));
  } catch {
    return false;
  }
}

function nativeGenerate(seed: Uint8Array): Buffer {
  const der = createPublicKey(privateKey(seed.subarray(0, 32))).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(SPKI_ED25519_PREFIX.length));
}

let installed = false;

/** Idempotent; call once per process before keys are used (config/index.ts does). */
export function installNativeEd25519(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const signing = require('@stellar/stellar-base/lib/signing.js') as SigningModule;
  signing.generate = nativeGenerate;
  signing.sign = nativeSign;
  signing.verify = nativeVerify;
}

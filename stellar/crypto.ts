import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for personal data the anchor must keep (a withdrawal's bank account): AES-256-GCM with a
 * fresh 96-bit IV per value. The associated data binds a ciphertext to its row (the transaction id), so a value
 * copied into another row fails to decrypt instead of paying the wrong person.
 *
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. The version prefix leaves room for key rotation.
 */

export class DecryptionError extends Error {
  readonly code = 'decryption_failed';
  constructor() {
    super('stored value cannot be decrypted with this key (wrong key, wrong row or tampered)');
    this.name = 'DecryptionError';
  }
}

function keyBytes(hexKey: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hexKey))
    throw new Error('encryption key must be 32 bytes as 64 hex characters');
  return Buffer.from(hexKey, 'hex');
}

export function encryptAtRest(hexKey: string, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(hexKey), iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', iv, tag, ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decryptAtRest(hexKey: string, stored: string, associatedData: string): string {
  const parts = stored.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') throw new DecryptionError();
  const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  if (iv.length !== 12 || tag.length !== 16) throw new DecryptionError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes(hexKey), iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new DecryptionError();
  }
}

/**
 * A key ring for documents at rest (KYC uploads): every key has a short id, the first one encrypts, any one
 * decrypts. Rotation: put the new key first and keep the old ones after it until every stored value has been
 * re-encrypted (`npm run kyc:reencrypt`), then drop them.
 */
export interface KeyRing {
  /** The id of the key new values are encrypted with (the first configured). */
  currentId: string;
  /** Key id → 64 hex characters. */
  keys: ReadonlyMap<string, string>;
}

export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** A value stored under a key id the ring does not have: a clear error instead of garbage. */
export class UnknownKeyError extends Error {
  readonly code = 'unknown_key';
  constructor(readonly keyId: string) {
    super(`stored value was encrypted with key "${keyId}", which is not configured`);
    this.name = 'UnknownKeyError';
  }
}

/** Bytes that do not carry the encrypted-document header (written before encryption, or not ours). */
export class NotEncryptedError extends Error {
  readonly code = 'not_encrypted';
  constructor() {
    super('stored value is not an encrypted document (no header)');
    this.name = 'NotEncryptedError';
  }
}

/** "ANKE" + format version 1: the header of every encrypted document. */
const MAGIC = Buffer.from([0x41, 0x4e, 0x4b, 0x45, 0x01]);

/**
 * Bytes at rest: `ANKE 01 | key id length | key id | iv (12) | tag (16) | ciphertext`, AES-256-GCM with the
 * header and `associatedData` (the blob's key) authenticated, so a file moved to another key fails to decrypt.
 */
export function encryptBytes(ring: KeyRing, plaintext: Uint8Array, associatedData: string): Uint8Array {
  const key = ring.keys.get(ring.currentId);
  if (!key) throw new UnknownKeyError(ring.currentId);
  const id = Buffer.from(ring.currentId, 'ascii');
  const header = Buffer.concat([MAGIC, Buffer.from([id.length]), id]);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(key), iv);
  cipher.setAAD(Buffer.concat([header, Buffer.from(associatedData, 'utf8')]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]));
}

/** The id of the key `stored` was encrypted with (re-encryption skips values already under the current key). */
export function storedKeyId(stored: Uint8Array): string {
  const b = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  if (b.length < MAGIC.length + 1 || !b.subarray(0, MAGIC.length).equals(MAGIC))
    throw new NotEncryptedError();
  const idLength = b[MAGIC.length]!;
  const id = b.subarray(MAGIC.length + 1, MAGIC.length + 1 + idLength).toString('ascii');
  if (id.length !== idLength || !KEY_ID.test(id)) throw new DecryptionError();
  return id;
}

export function decryptBytes(ring: KeyRing, stored: Uint8Array, associatedData: string): Uint8Array {
  const id = storedKeyId(stored);
  const key = ring.keys.get(id);
  if (!key) throw new UnknownKeyError(id);
  const b = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const headerLength = MAGIC.length + 1 + id.length;
  if (b.length < headerLength + 28) throw new DecryptionError();
  const iv = b.subarray(headerLength, headerLength + 12);
  const tag = b.subarray(headerLength + 12, headerLength + 28);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes(key), iv);
    decipher.setAAD(Buffer.concat([b.subarray(0, headerLength), Buffer.from(associatedData, 'utf8')]));
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(b.subarray(headerLength + 28)), decipher.final()]));
  } catch {
    throw new DecryptionError();
  }
}

/**
 * Parses `id:hex64[,id:hex64...]` (the first key encrypts). Returns an error message instead of throwing, for
 * the config schema.
 */
export function parseKeyRing(spec: string): KeyRing | string {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) return 'at least one key: id:64-hex-chars';
  const keys = new Map<string, string>();
  for (const entry of entries) {
    const [id, key, ...rest] = entry.split(':');
    if (!id || !KEY_ID.test(id)) return `key id "${id ?? ''}" must be 1-32 of A-Z a-z 0-9 _ -`;
    if (rest.length > 0 || !key || !/^[0-9a-fA-F]{64}$/.test(key)) {
      return `key "${id}" must be 32 bytes as 64 hex characters (id:hex)`;
    }
    if (keys.has(id)) return `key id "${id}" is listed twice`;
    keys.set(id, key.toLowerCase());
  }
  return { currentId: entries[0]!.split(':')[0]!, keys };
}

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

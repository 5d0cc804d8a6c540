import { createHash } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';

/**
 * Keys of the sandbox profile, derived from fixed labels so that `npm start` works with no configuration.
 * Anyone can derive them, which is why every profile but `sandbox` refuses them (see config/index.ts).
 */
export type SandboxRole = 'signing' | 'distribution' | 'issuer';

function seed(label: string): Buffer {
  return createHash('sha256').update(`stellar-temporal-anchor/sandbox/${label}`).digest();
}

export function sandboxKeypair(role: SandboxRole): Keypair {
  return Keypair.fromRawEd25519Seed(seed(role));
}

export function sandboxJwtSecret(): string {
  return seed('jwt').toString('hex');
}

/** True when `secret` is one of the publicly derivable sandbox secrets. */
export function isSandboxSecret(secret: string): boolean {
  if (secret === sandboxJwtSecret()) return true;
  return (['signing', 'distribution', 'issuer'] as const).some(
    (role) => sandboxKeypair(role).secret() === secret,
  );
}

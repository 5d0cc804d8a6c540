import { createHash } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';

/**
 * Keys of the sandbox profile, derived from fixed labels so that `npm start` works with no configuration.
 * Anyone can derive them, which is why every profile but `sandbox` refuses them (config/profile-rules.ts).
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

/** AES-256-GCM key for withdrawal bank details in the sandbox (64 hex chars). */
export function sandboxWithdrawEncryptionKey(): string {
  return seed('withdraw-encryption').toString('hex');
}

/** The sandbox key ring for KYC documents at rest (KYC_ENCRYPTION_KEYS's sandbox default). */
export const SANDBOX_KYC_KEY_ID = 'sandbox';
export function sandboxKycEncryptionKey(): string {
  return seed('kyc-encryption').toString('hex');
}

/** True when `secret` is one of the publicly derivable sandbox secrets. */
export function isSandboxSecret(secret: string): boolean {
  if (secret === sandboxJwtSecret()) return true;
  if (secret.toLowerCase() === sandboxWithdrawEncryptionKey()) return true;
  if (secret.toLowerCase() === sandboxKycEncryptionKey()) return true;
  return (['signing', 'distribution', 'issuer'] as const).some(
    (role) => sandboxKeypair(role).secret() === secret,
  );
}

/** The sandbox bank's API key and webhook secret: public, so mainnet refuses them (config/profile-rules.ts). */
export const SANDBOX_BANK_API_KEY = 'sandbox-bank-api-key-not-a-secret';
export const SANDBOX_BANK_WEBHOOK_SECRET = 'sandbox-bank-webhook-secret-not-a-secret';

/** The sandbox KYC provider's webhook secret: public, so every other profile refuses it (config/profile-rules.ts). */
export const SANDBOX_KYC_WEBHOOK_SECRET = 'sandbox-kyc-webhook-secret-not-a-secret';

/** The anchor's own account at the sandbox bank (ANCHOR_BANK_ACCOUNT's sandbox default): users send deposits here. */
export const SANDBOX_ANCHOR_BANK_ACCOUNT = 'SB00ANCHOR0000000001';

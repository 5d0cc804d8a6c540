import { randomBytes } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';

/**
 * A complete, valid environment for the testnet and mainnet profiles (fresh keys, https URLs). Tests that load a
 * non-sandbox config start from this; a surface that adds a required key adds it here.
 */
export function productionEnv(): Record<string, string> {
  return {
    SIGNING_SECRET: Keypair.random().secret(),
    DISTRIBUTION_SECRET: Keypair.random().secret(),
    ISSUER_PUBLIC_KEY: Keypair.random().publicKey(),
    JWT_SECRET: randomBytes(32).toString('hex'),
    PUBLIC_URL: 'https://anchor.example.com',
    ORG_URL: 'https://anchor.example.com',
    WITHDRAW_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    KYC_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    BANK_API_URL: 'https://bank.example.com',
    BANK_API_KEY: randomBytes(16).toString('hex'),
    BANK_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    KYC_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    KYC_PROVIDER_URL: 'https://kyc.example.com',
  };
}

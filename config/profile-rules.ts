import type { ConfigIssue } from './errors.js';
import {
  isSandboxSecret,
  SANDBOX_BANK_API_KEY,
  SANDBOX_BANK_WEBHOOK_SECRET,
  SANDBOX_KYC_WEBHOOK_SECRET,
} from './sandbox-keys.js';
import type { Env } from './schema.js';

/**
 * What testnet and mainnet demand beyond the sandbox: their own secrets (the sandbox ones are derivable by anyone),
 * no issuer secret on the server, and https everywhere on mainnet. One place for the policy of each profile; the
 * surfaces' builders check only what follows from their own keys.
 */
export function profileIssues(e: Env): ConfigIssue[] {
  if (e.PROFILE === 'sandbox') return [];
  const issues: ConfigIssue[] = [];
  const push = (key: string, message: string) => issues.push({ key, message });
  const required = `required for the ${e.PROFILE} profile`;
  const mainnet = e.PROFILE === 'mainnet';

  for (const key of ['SIGNING_SECRET', 'DISTRIBUTION_SECRET', 'ISSUER_PUBLIC_KEY'] as const) {
    if (!e[key]) push(key, required);
  }
  if (!e.WITHDRAW_ENCRYPTION_KEY) push('WITHDRAW_ENCRYPTION_KEY', required);
  if (!e.KYC_ENCRYPTION_KEYS) push('KYC_ENCRYPTION_KEYS', required);
  else if (e.KYC_ENCRYPTION_KEYS.split(',').some((k) => isSandboxSecret(k.split(':')[1]?.trim() ?? ''))) {
    push('KYC_ENCRYPTION_KEYS', `holds the publicly known sandbox key; generate a new one for ${e.PROFILE}`);
  }
  for (const key of [
    'SIGNING_SECRET',
    'DISTRIBUTION_SECRET',
    'JWT_SECRET',
    'WITHDRAW_ENCRYPTION_KEY',
  ] as const) {
    const value = e[key];
    if (value && isSandboxSecret(value)) {
      push(key, `is a publicly known sandbox secret; generate a new one for ${e.PROFILE}`);
    }
  }
  if (e.ISSUER_SECRET) {
    push(
      'ISSUER_SECRET',
      `must not be set for ${e.PROFILE}: keep the issuer in cold storage; top-ups are signed offline`,
    );
  }

  if (mainnet && !e.PUBLIC_URL) push('PUBLIC_URL', 'required for the mainnet profile');
  // X-01 / S1-09: every URL the toml publishes is https, except a sandbox on this machine.
  if (e.PUBLIC_URL && !e.PUBLIC_URL.startsWith('https://')) {
    push('PUBLIC_URL', `must be an https:// URL for the ${e.PROFILE} profile`);
  }
  if (mainnet && e.HORIZON_URL && !e.HORIZON_URL.startsWith('https://')) {
    push('HORIZON_URL', 'must be an https:// URL on mainnet');
  }

  // The bank may be the sandbox bank on testnet too; only mainnet must bring its own bank and secrets.
  if (mainnet) {
    for (const key of ['BANK_API_URL', 'BANK_API_KEY', 'BANK_WEBHOOK_SECRET'] as const) {
      if (!e[key]) push(key, 'required for the mainnet profile');
    }
    if (e.BANK_API_URL && !e.BANK_API_URL.startsWith('https://')) {
      push('BANK_API_URL', 'must be an https:// URL on mainnet');
    }
    if (e.BANK_API_KEY === SANDBOX_BANK_API_KEY || e.BANK_WEBHOOK_SECRET === SANDBOX_BANK_WEBHOOK_SECRET) {
      push(
        e.BANK_API_KEY === SANDBOX_BANK_API_KEY ? 'BANK_API_KEY' : 'BANK_WEBHOOK_SECRET',
        'is the publicly known sandbox value; use the one your bank issued',
      );
    }
  }

  if (!e.KYC_WEBHOOK_SECRET) push('KYC_WEBHOOK_SECRET', required);
  else if (e.KYC_WEBHOOK_SECRET === SANDBOX_KYC_WEBHOOK_SECRET) {
    push('KYC_WEBHOOK_SECRET', "is the publicly known sandbox value; use your provider's");
  }
  if (e.KYC_VERIFY_FIELDS.trim() !== '') {
    push(
      'KYC_VERIFY_FIELDS',
      `no SMS/email sender is configured for ${e.PROFILE}; leave it empty (sandbox codes only)`,
    );
  }
  if (mainnet && !e.KYC_PROVIDER_URL?.startsWith('https://')) {
    push('KYC_PROVIDER_URL', 'required on mainnet, as an https:// URL');
  }

  if (e.JWT_ALGORITHM === 'HS256' && !e.JWT_SECRET) push('JWT_SECRET', required);
  return issues;
}

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { SANDBOX_KYC_WEBHOOK_SECRET } from '../../config/sandbox-keys.js';

function issuesOf(env: Record<string, string>): { key: string; message: string }[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}
const keys = (env: Record<string, string>) => issuesOf(env).map((i) => i.key);

describe('KYC configuration (issue 6)', () => {
  it('sandbox defaults: the local provider, the webhook at PUBLIC_URL/webhooks/kyc, 10 MB uploads, tier 1 up to 1000', () => {
    const c = loadConfig({ PROFILE: 'sandbox', API_PORT: '8100' });
    expect(c.kyc.providerUrl).toBe('http://localhost:8003');
    expect(c.kyc.sandboxWebhookUrl).toBe('http://localhost:8100/webhooks/kyc');
    expect(c.kyc.uploadMaxBytes).toBe(10 * 1024 * 1024);
    expect(c.kyc.tier1MaxAmount).toBe('1000');
    expect(c.kyc.verifyFields).toEqual([]);
    expect(c.kyc.webhookSecret).toBe(SANDBOX_KYC_WEBHOOK_SECRET);
  });

  it('KYC_VERIFY_FIELDS takes only mobile_number and email_address; KYC_TIER1_MAX_AMOUNT is a 7-place decimal', () => {
    expect(loadConfig({ KYC_VERIFY_FIELDS: 'mobile_number, email_address' }).kyc.verifyFields).toEqual([
      'mobile_number',
      'email_address',
    ]);
    expect(keys({ KYC_VERIFY_FIELDS: 'first_name' })).toContain('KYC_VERIFY_FIELDS');
    expect(keys({ KYC_TIER1_MAX_AMOUNT: '1.12345678' })).toContain('KYC_TIER1_MAX_AMOUNT');
  });

  it('outside the sandbox: a webhook secret is required, the public sandbox one is refused, codes are sandbox-only', () => {
    expect(keys({ PROFILE: 'testnet' })).toContain('KYC_WEBHOOK_SECRET');
    expect(keys({ PROFILE: 'testnet', KYC_WEBHOOK_SECRET: SANDBOX_KYC_WEBHOOK_SECRET })).toContain(
      'KYC_WEBHOOK_SECRET',
    );
    expect(keys({ PROFILE: 'testnet', KYC_WEBHOOK_SECRET: 'a-real-secret-from-the-vendor' })).not.toContain(
      'KYC_WEBHOOK_SECRET',
    );
    expect(keys({ PROFILE: 'testnet', KYC_VERIFY_FIELDS: 'mobile_number' })).toContain('KYC_VERIFY_FIELDS');
    expect(keys({ PROFILE: 'mainnet', KYC_PROVIDER_URL: 'http://kyc.example' })).toContain(
      'KYC_PROVIDER_URL',
    );
    expect(keys({ PROFILE: 'mainnet', KYC_PROVIDER_URL: 'https://kyc.example' })).not.toContain(
      'KYC_PROVIDER_URL',
    );
  });

  it('the webhook secret never appears in config error messages', () => {
    const secret = 'short';
    const all = JSON.stringify(issuesOf({ PROFILE: 'testnet', KYC_WEBHOOK_SECRET: secret }));
    expect(all).toContain('KYC_WEBHOOK_SECRET');
    expect(all).not.toContain(`"${secret}"`);
  });
});

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import {
  SANDBOX_ANCHOR_BANK_ACCOUNT,
  SANDBOX_BANK_API_KEY,
  SANDBOX_BANK_WEBHOOK_SECRET,
} from '../../config/sandbox-keys.js';
import { configIssues } from '../helpers/config.js';
import { productionEnv } from '../helpers/production-env.js';

describe('bank rails configuration', () => {
  it('defaults to the sandbox bank, reference matching and its public sandbox secrets', () => {
    const c = loadConfig({});
    expect(c.bank).toEqual({
      apiUrl: 'http://localhost:8002',
      apiKey: SANDBOX_BANK_API_KEY,
      webhookSecret: SANDBOX_BANK_WEBHOOK_SECRET,
      webhookToleranceSeconds: 300,
      pollIntervalSeconds: 60,
      depositMatching: 'reference',
      currency: 'USD',
      sandboxWebhookUrl: 'http://localhost:8000/webhooks/bank',
      anchorAccount: SANDBOX_ANCHOR_BANK_ACCOUNT,
    });
    const custom = loadConfig({
      SANDBOX_BANK_PORT: '9002',
      PUBLIC_URL: 'http://anchor.test:81',
      ASSET_CODE: 'EURC',
    });
    expect(custom.bank.apiUrl).toBe('http://localhost:9002');
    expect(custom.bank.sandboxWebhookUrl).toBe('http://anchor.test:81/webhooks/bank');
    expect(custom.bank.currency).toBe('EUR');
    expect(loadConfig({ ANCHOR_BANK_ACCOUNT: 'DE89370400440532013000' }).bank.anchorAccount).toBe(
      'DE89370400440532013000',
    );
  });

  it('shows no made-up bank account outside the sandbox: ANCHOR_BANK_ACCOUNT unset on testnet stays unset', () => {
    expect(loadConfig({ ...productionEnv(), PROFILE: 'testnet' }).bank.anchorAccount).toBeUndefined();
    const set = loadConfig({
      ...productionEnv(),
      PROFILE: 'testnet',
      ANCHOR_BANK_ACCOUNT: 'GB29NWBK60161331926819',
    });
    expect(set.bank.anchorAccount).toBe('GB29NWBK60161331926819');
  });

  it('names a bad strategy, tolerance or currency', () => {
    const issues = configIssues({
      DEPOSIT_MATCHING: 'iban',
      BANK_WEBHOOK_TOLERANCE_SECONDS: '0',
      BANK_CURRENCY: 'usd',
      BANK_POLL_INTERVAL_SECONDS: '-1',
    });
    expect(Object.keys(issues).sort()).toEqual(
      [
        'BANK_CURRENCY',
        'BANK_POLL_INTERVAL_SECONDS',
        'BANK_WEBHOOK_TOLERANCE_SECONDS',
        'DEPOSIT_MATCHING',
      ].sort(),
    );
  });

  it('lets testnet use the sandbox bank, but mainnet must bring its own bank URL, key and webhook secret', () => {
    const env = productionEnv();
    const { BANK_API_URL: _u, BANK_API_KEY: _k, BANK_WEBHOOK_SECRET: _s, ...withoutBank } = env;
    const testnet = loadConfig({ ...withoutBank, PROFILE: 'testnet' });
    expect(testnet.bank.apiKey).toBe(SANDBOX_BANK_API_KEY);
    const issues = configIssues({ ...withoutBank, PROFILE: 'mainnet' });
    expect(issues).toMatchObject({
      BANK_API_URL: expect.stringContaining('required'),
      BANK_API_KEY: expect.stringContaining('required'),
      BANK_WEBHOOK_SECRET: expect.stringContaining('required'),
    });
    expect(
      configIssues({ ...env, PROFILE: 'mainnet', BANK_API_URL: 'http://bank.example.com' }),
    ).toHaveProperty('BANK_API_URL');
    expect(configIssues({ ...env, PROFILE: 'mainnet', BANK_API_KEY: SANDBOX_BANK_API_KEY })).toHaveProperty(
      'BANK_API_KEY',
    );
    expect(loadConfig({ ...env, PROFILE: 'mainnet' }).bank.apiUrl).toBe('https://bank.example.com');
  });

  it('never echoes the bank secrets in a config error', () => {
    try {
      loadConfig({ BANK_API_KEY: 'short', BANK_WEBHOOK_SECRET: 'tiny' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as Error).message).not.toMatch(/short|tiny/);
    }
  });
});

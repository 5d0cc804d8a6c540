import { Keypair, Networks } from '@stellar/stellar-sdk';
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../config/index.js';
import { sandboxKeypair } from '../../config/sandbox-keys.js';

import { configIssues } from '../helpers/config.js';
import { productionEnv } from '../helpers/production-env.js';

const realKeys = productionEnv;

describe('configuration', () => {
  it('runs the sandbox profile with no settings at all, offline, on the Test SDF passphrase', () => {
    const c = loadConfig({});
    expect(c.profile).toBe('sandbox');
    expect(c.stellar.networkPassphrase).toBe(Networks.TESTNET);
    expect(c.stellar.horizonUrl).toBe('http://localhost:8001');
    expect(c.stellar.allowHttp).toBe(true);
    expect(c.api.publicUrl).toBe('http://localhost:8000');
    expect(c.stellar.issuerSecret).toBe(sandboxKeypair('issuer').secret());
    // issuer, distribution and SEP-10 signing keys are three different accounts
    expect(new Set([c.stellar.issuerAccount, c.stellar.distributionAccount, c.stellar.signingKey]).size).toBe(
      3,
    );
  });

  it('switching network changes only the passphrase and the Horizon URL (plus secrets)', () => {
    const keys = realKeys();
    const testnet = loadConfig({ PROFILE: 'testnet', ...keys });
    const mainnet = loadConfig({ PROFILE: 'mainnet', ...keys });
    expect(testnet.stellar.networkPassphrase).toBe(Networks.TESTNET);
    expect(mainnet.stellar.networkPassphrase).toBe(Networks.PUBLIC);
    expect(testnet.stellar.horizonUrl).toBe('https://horizon-testnet.stellar.org');
    expect(mainnet.stellar.horizonUrl).toBe('https://horizon.stellar.org');
    const strip = (c: ReturnType<typeof loadConfig>) => ({
      ...c,
      // the toml currency status defaults to "live" on mainnet and "test" elsewhere
      sep1: { ...c.sep1, currency: { ...c.sep1.currency, status: undefined } },
      profile: undefined,
      api: { ...c.api, publicUrl: undefined, homeDomain: undefined },
      stellar: { ...c.stellar, networkPassphrase: undefined, horizonUrl: undefined, allowHttp: undefined },
    });
    // every other setting is shared between the two networks
    expect(strip(mainnet)).toEqual(strip(testnet));
  });

  it('mainnet with no secrets names every missing key in one error', () => {
    const issues = configIssues({ PROFILE: 'mainnet' });
    expect(Object.keys(issues)).toEqual(
      expect.arrayContaining([
        'DISTRIBUTION_SECRET',
        'ISSUER_PUBLIC_KEY',
        'JWT_SECRET',
        'PUBLIC_URL',
        'SIGNING_SECRET',
      ]),
    );
    for (const message of Object.values(issues)) expect(message).not.toMatch(/^\s*$/);
    expect(issues.SIGNING_SECRET).toMatch(/required for the mainnet profile/);
  });

  it('mainnet refuses http URLs', () => {
    const issues = configIssues({
      PROFILE: 'mainnet',
      ...realKeys(),
      PUBLIC_URL: 'http://anchor.example.com',
      HORIZON_URL: 'http://horizon.example.com',
    });
    expect(issues.PUBLIC_URL).toMatch(/https/);
    expect(issues.HORIZON_URL).toMatch(/https/);
  });

  it('mainnet refuses the publicly derivable sandbox secrets and any issuer secret', () => {
    const issues = configIssues({
      PROFILE: 'mainnet',
      ...realKeys(),
      PUBLIC_URL: 'https://anchor.example.com',
      SIGNING_SECRET: sandboxKeypair('signing').secret(),
      ISSUER_SECRET: Keypair.random().secret(),
    });
    expect(issues.SIGNING_SECRET).toMatch(/sandbox secret/);
    expect(issues.ISSUER_SECRET).toMatch(/cold storage/);
  });

  it('rejects malformed values with the key named, and never echoes a secret value', () => {
    const secretish = 'SNOTAVALIDSEEDBUTSECRETISH';
    let message = '';
    try {
      loadConfig({ API_PORT: 'eighty', SIGNING_SECRET: secretish, PROFILE: 'moon' });
    } catch (err) {
      message = (err as Error).message;
      const keys = (err as ConfigError).issues.map((i) => i.key);
      expect(keys).toEqual(expect.arrayContaining(['API_PORT', 'SIGNING_SECRET', 'PROFILE']));
    }
    expect(message).toContain('API_PORT');
    expect(message).not.toContain(secretish);
  });

  it('refuses a distribution account that is the issuing account', () => {
    const issuer = Keypair.random();
    const issues = configIssues({
      PROFILE: 'testnet',
      ...realKeys(),
      DISTRIBUTION_SECRET: issuer.secret(),
      ISSUER_PUBLIC_KEY: issuer.publicKey(),
    });
    expect(issues.DISTRIBUTION_SECRET).toMatch(/must not be the issuing account/);
  });
});

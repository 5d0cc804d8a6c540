import { Keypair, StrKey } from '@stellar/stellar-sdk';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentation, stellarToml } from '../../api/sep1/index.js';
import { ConfigError } from '../../config/index.js';
import { testConfig } from '../helpers/config.js';
import { productionEnv } from '../helpers/production-env.js';
import { type AuthTestApp, createAuthTestApp } from '../helpers/sep10.js';

type Toml = Record<string, unknown> & {
  DOCUMENTATION: Record<string, unknown>;
  CURRENCIES: Record<string, unknown>[];
  ACCOUNTS: string[];
};

describe('SEP-1 stellar.toml', () => {
  let t: AuthTestApp;
  let res: Response;
  let text: string;
  let toml: Toml;
  const extra = Keypair.random().publicKey();
  const receiving = Keypair.random().publicKey();

  beforeAll(async () => {
    t = await createAuthTestApp({
      SEP1_EXTRA_ACCOUNTS: extra,
      RECEIVING_ACCOUNTS: receiving,
      ASSET_CODE: 'EURT',
      ASSET_ANCHOR_ASSET: 'EUR',
    });
    res = await t.app.request('/.well-known/stellar.toml', { headers: { Origin: 'https://wallet.example' } });
    text = await res.text();
    toml = parse(text) as Toml;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('S1-01 S1-02 S1-03: 200 at /.well-known/stellar.toml, CORS-open, text/plain', () => {
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('S1-04 S1-05: under 100 KB, valid TOML, every global key before the first table', () => {
    expect(Buffer.byteLength(text)).toBeLessThan(100 * 1024);
    const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const firstTable = lines.findIndex((l) => l.startsWith('['));
    expect(firstTable).toBeGreaterThan(0);
    const globals = Object.keys(toml).filter((k) => k !== 'DOCUMENTATION' && k !== 'CURRENCIES');
    // 8 + TRANSFER_SERVER (SEP-6) and ANCHOR_QUOTE_SERVER (SEP-38, on in the sandbox).
    expect(globals.length).toBe(10);
    for (const key of globals) {
      const line = lines.findIndex((l) => l.startsWith(`${key} =`));
      expect(line, key).toBeGreaterThanOrEqual(0);
      expect(line, key).toBeLessThan(firstTable);
    }
  });

  it('S1-06 S1-07 S1-08 S10-38: VERSION, the testnet passphrase and the server SIGNING_KEY; no secret anywhere', () => {
    expect(toml.VERSION).toBe('2.7.0');
    expect(toml.NETWORK_PASSPHRASE).toBe('Test SDF Network ; September 2015');
    expect(StrKey.isValidEd25519PublicKey(toml.SIGNING_KEY as string)).toBe(true);
    expect(toml.SIGNING_KEY).toBe(Keypair.fromSecret(t.config.stellar.signingSecret).publicKey());
    for (const secret of [
      t.config.stellar.signingSecret,
      t.config.stellar.distributionSecret,
      t.config.auth.jwtSecret,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/\bS[A-Z2-7]{55}\b/);
  });

  it('S1-09 S1-10 S1-11 X-12: WEB_AUTH_ENDPOINT, TRANSFER_SERVER_SEP0024 and KYC_SERVER at their mounts, no trailing slash', () => {
    const base = t.config.api.publicUrl;
    expect(toml.WEB_AUTH_ENDPOINT).toBe(`${base}/auth`);
    expect(toml.TRANSFER_SERVER_SEP0024).toBe(`${base}/sep24`);
    expect(toml.KYC_SERVER).toBe(`${base}/kyc`);
    for (const key of ['WEB_AUTH_ENDPOINT', 'TRANSFER_SERVER_SEP0024', 'KYC_SERVER', 'HORIZON_URL']) {
      expect(toml[key] as string).not.toMatch(/\/$/);
    }
  });

  it('S1-13 S1-14: ACCOUNTS lists issuer, distribution, withdrawal-receiving and extra accounts; HORIZON_URL; no deprecated AUTH_SERVER', () => {
    expect(toml.ACCOUNTS).toEqual(
      expect.arrayContaining([
        t.config.stellar.issuerAccount,
        t.config.stellar.distributionAccount,
        receiving,
        extra,
      ]),
    );
    expect(new Set(toml.ACCOUNTS).size).toBe(toml.ACCOUNTS.length);
    expect(toml.HORIZON_URL).toBe(t.config.stellar.horizonUrl);
    expect(toml).not.toHaveProperty('AUTH_SERVER');
  });

  it('S1-15: [DOCUMENTATION] has every ORG_* field, and documentation(config) returns the same block', () => {
    const doc = toml.DOCUMENTATION;
    for (const key of [
      'ORG_NAME',
      'ORG_URL',
      'ORG_LOGO',
      'ORG_DESCRIPTION',
      'ORG_PHYSICAL_ADDRESS',
      'ORG_OFFICIAL_EMAIL',
      'ORG_SUPPORT_EMAIL',
    ]) {
      expect(typeof doc[key], key).toBe('string');
      expect((doc[key] as string).length, key).toBeGreaterThan(0);
    }
    expect(doc).toEqual(documentation(t.config));
    expect(doc.ORG_OFFICIAL_EMAIL).toMatch(new RegExp(`@${new URL(doc.ORG_URL as string).hostname}$`));
  });

  it('S1-15: the default ORG_LOGO is a PNG served by the anchor itself', async () => {
    const logoUrl = new URL(toml.DOCUMENTATION.ORG_LOGO as string);
    const logo = await t.app.request(logoUrl.pathname);
    expect(logo.status).toBe(200);
    expect(logo.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await logo.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes[25]).toBe(6); // colour type RGBA: a transparent background is possible
  });

  it('S1-16 S1-17: one [[CURRENCIES]] for ASSET_CODE with issuer and well-typed metadata', () => {
    expect(toml.CURRENCIES).toHaveLength(1);
    const c = toml.CURRENCIES[0]!;
    expect(c.code).toBe('EURT');
    expect(c.issuer).toBe(t.config.stellar.issuerAccount);
    expect(c).not.toHaveProperty('contract');
    expect(['live', 'dead', 'test', 'private']).toContain(c.status);
    expect(c.status).toBe('test');
    expect(Number.isInteger(c.display_decimals)).toBe(true);
    expect(c.display_decimals as number).toBeGreaterThanOrEqual(0);
    expect(c.display_decimals as number).toBeLessThanOrEqual(7);
    expect((c.name as string).length).toBeLessThanOrEqual(20);
    expect(typeof c.desc).toBe('string');
    expect(c.is_asset_anchored).toBe(true);
    expect(c.anchor_asset_type).toBe('fiat');
    expect(c.anchor_asset).toBe('EUR');
    expect(typeof c.redemption_instructions).toBe('string');
    const supply = ['fixed_number', 'max_number', 'is_unlimited'].filter((k) => k in c);
    expect(supply).toEqual(['is_unlimited']);
  });

  it('S1-16: the [[CURRENCIES]] code is an asset of SEP-24 GET /info', async () => {
    const info = await t.app.request('/sep24/info');
    expect(info.status).toBe(200);
    const body = (await info.json()) as {
      deposit: Record<string, unknown>;
      withdraw: Record<string, unknown>;
    };
    const code = toml.CURRENCIES[0]!.code as string;
    expect(Object.keys(body.deposit)).toContain(code);
    expect(Object.keys(body.withdraw)).toContain(code);
  });

  it('S1-15 S1-17: organization and currency fields follow their config keys', () => {
    const config = testConfig({
      ORG_NAME: 'Acme "Quoted" Anchor',
      ORG_SUPPORT_EMAIL: 'help@acme.example',
      ASSET_STATUS: 'live',
      ASSET_DISPLAY_DECIMALS: '7',
      ASSET_NAME: 'Acme Dollar',
      ASSET_ANCHOR_TYPE: 'crypto',
    });
    const parsed = parse(stellarToml(config)) as Toml;
    expect(parsed.DOCUMENTATION.ORG_NAME).toBe('Acme "Quoted" Anchor');
    expect(parsed.DOCUMENTATION.ORG_SUPPORT_EMAIL).toBe('help@acme.example');
    expect(parsed.CURRENCIES[0]).toMatchObject({
      status: 'live',
      display_decimals: 7,
      name: 'Acme Dollar',
      anchor_asset_type: 'crypto',
    });
    expect(() => testConfig({ ASSET_NAME: 'a name that is longer than twenty' })).toThrow(ConfigError);
  });

  it('X-01 S1-09..11: outside the sandbox every published URL is https and an http PUBLIC_URL is refused', () => {
    const config = testConfig({ ...productionEnv(), PROFILE: 'testnet', HORIZON_URL: undefined });
    const parsed = parse(stellarToml(config)) as Toml;
    for (const key of ['WEB_AUTH_ENDPOINT', 'TRANSFER_SERVER_SEP0024', 'KYC_SERVER', 'HORIZON_URL']) {
      expect(parsed[key] as string, key).toMatch(/^https:\/\/[^/]+(\/[^/]+)*[^/]$/);
    }
    expect(parsed.DOCUMENTATION.ORG_URL).toMatch(/^https:\/\//);
    expect(parsed.DOCUMENTATION.ORG_LOGO).toMatch(/^https:\/\//);
    expect(parsed.CURRENCIES[0]!.status).toBe('test');
    expect(() =>
      testConfig({ ...productionEnv(), PROFILE: 'testnet', PUBLIC_URL: 'http://anchor.example.com' }),
    ).toThrow(/PUBLIC_URL: must be an https/);
    const mainnet = testConfig({ ...productionEnv(), PROFILE: 'mainnet', HORIZON_URL: undefined });
    expect((parse(stellarToml(mainnet)) as Toml).NETWORK_PASSPHRASE).toBe(
      'Public Global Stellar Network ; September 2015',
    );
    expect((parse(stellarToml(mainnet)) as Toml).CURRENCIES[0]!.status).toBe('live');
  });
});

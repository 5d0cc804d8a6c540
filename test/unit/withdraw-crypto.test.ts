import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidIban, validateDestination } from '../../api/interactive/withdraw.js';
import { ConfigError, loadConfig } from '../../config/index.js';
import { sandboxWithdrawEncryptionKey } from '../../config/sandbox-keys.js';
import { maskAccount } from '../../core/bank/mask.js';
import { DecryptionError, decryptAtRest, encryptAtRest } from '../../stellar/crypto.js';
import { productionEnv } from '../helpers/production-env.js';

const key = randomBytes(32).toString('hex');

describe('bank details at rest: AES-256-GCM (stellar/crypto.ts)', () => {
  it('round-trips, with a fresh IV each time (same plaintext → different ciphertexts)', () => {
    const a = encryptAtRest(key, '{"account":"ES9121000418450200051332"}', 'tx-1');
    const b = encryptAtRest(key, '{"account":"ES9121000418450200051332"}', 'tx-1');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain('ES91');
    expect(decryptAtRest(key, a, 'tx-1')).toBe('{"account":"ES9121000418450200051332"}');
  });

  it('refuses another row (AAD), another key, and any tampering', () => {
    const stored = encryptAtRest(key, 'secret', 'tx-1');
    expect(() => decryptAtRest(key, stored, 'tx-2')).toThrow(DecryptionError);
    expect(() => decryptAtRest(randomBytes(32).toString('hex'), stored, 'tx-1')).toThrow(DecryptionError);
    const parts = stored.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => decryptAtRest(key, parts.join('.'), 'tx-1')).toThrow(DecryptionError);
    expect(() => decryptAtRest(key, 'v2.x.y.z', 'tx-1')).toThrow(DecryptionError);
  });
});

describe('WITHDRAW_ENCRYPTION_KEY configuration', () => {
  it('sandbox: a derived default key', () => {
    const config = loadConfig({ PROFILE: 'sandbox' });
    expect(config.withdraw.encryptionKey).toBe(sandboxWithdrawEncryptionKey());
    expect(config.withdraw.encryptionKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('testnet/mainnet: required, and the public sandbox key is refused', () => {
    const env: Record<string, string> = { ...productionEnv(), PROFILE: 'testnet' };
    expect(loadConfig(env).withdraw.encryptionKey).toBe(env.WITHDRAW_ENCRYPTION_KEY);
    const { WITHDRAW_ENCRYPTION_KEY: _, ...missing } = env;
    expect(() => loadConfig(missing)).toThrow(ConfigError);
    try {
      loadConfig(missing);
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.key)).toContain('WITHDRAW_ENCRYPTION_KEY');
    }
    expect(() => loadConfig({ ...env, WITHDRAW_ENCRYPTION_KEY: sandboxWithdrawEncryptionKey() })).toThrow(
      /WITHDRAW_ENCRYPTION_KEY: is a publicly known sandbox secret/,
    );
    expect(() => loadConfig({ ...env, WITHDRAW_ENCRYPTION_KEY: 'short' })).toThrow(/64 hex/);
  });
});

describe('bank account validation on the withdraw form', () => {
  const t = (k: string) => k;

  it('IBAN mod-97 check', () => {
    expect(isValidIban('ES91 2100 0418 4502 0005 1332')).toBe(true);
    expect(isValidIban('GB82WEST12345698765432')).toBe(true);
    expect(isValidIban('ES9121000418450200051333')).toBe(false);
    expect(isValidIban('XX00')).toBe(false);
  });

  it('normalizes and masks; reports each bad field', () => {
    expect(
      validateDestination(t, {
        holder: ' Ana  García ',
        account: 'es91 2100-0418 4502 0005 1332',
        routing: 'caixesbb',
      }),
    ).toEqual({
      destination: { name: 'Ana García', account: 'ES9121000418450200051332', routing: 'CAIXESBB' },
      errors: {},
    });
    expect(validateDestination(t, { holder: 'Bob', account: '12345678', routing: '' }).destination).toEqual({
      name: 'Bob',
      account: '12345678',
    });
    expect(validateDestination(t, { holder: '1', account: '123', routing: 'x' }).errors).toEqual({
      holder: 'wd.error.holder',
      account: 'wd.error.account',
      routing: 'wd.error.routing',
    });
    expect(maskAccount('ES9121000418450200051332', 'last4')).toBe('****1332');
    expect(maskAccount('ES9121000418450200051332')).toBe('ES91****1332');
  });
});

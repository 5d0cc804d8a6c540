import { Keypair } from '@stellar/stellar-sdk';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { SANDBOX_CHANNEL_COUNT, sandboxChannelKeypair } from '../../config/payments.js';
import { productionEnv } from '../helpers/production-env.js';

const issuesOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => i.key);
  }
};

describe('payments configuration (issue 4)', () => {
  it('watches the distribution account by default, or the RECEIVING_ACCOUNTS list', () => {
    const sandbox = loadConfig({ PROFILE: 'sandbox' });
    expect(sandbox.payments.receivingAccounts).toEqual([sandbox.stellar.distributionAccount]);
    const a = Keypair.random().publicKey();
    const b = Keypair.random().publicKey();
    expect(
      loadConfig({ PROFILE: 'sandbox', RECEIVING_ACCOUNTS: `${a}, ${b}` }).payments.receivingAccounts,
    ).toEqual([a, b]);
    expect(issuesOf({ PROFILE: 'sandbox', RECEIVING_ACCOUNTS: 'GNOPE' })).toEqual(['RECEIVING_ACCOUNTS']);
  });

  it('derives sandbox channels, takes CHANNEL_SECRETS elsewhere and refuses the public sandbox ones', () => {
    const sandbox = loadConfig({ PROFILE: 'sandbox' });
    expect(sandbox.payments.channelAccounts).toHaveLength(SANDBOX_CHANNEL_COUNT);
    const testnet = loadConfig({ ...productionEnv(), PROFILE: 'testnet' });
    expect(testnet.payments.channelAccounts).toEqual([]);
    const ch = Keypair.random();
    expect(
      loadConfig({ ...productionEnv(), PROFILE: 'testnet', CHANNEL_SECRETS: ch.secret() }).payments
        .channelAccounts,
    ).toEqual([ch.publicKey()]);
    expect(
      issuesOf({
        ...productionEnv(),
        PROFILE: 'testnet',
        CHANNEL_SECRETS: sandboxChannelKeypair(0).secret(),
      }),
    ).toContain('CHANNEL_SECRETS');
    expect(issuesOf({ PROFILE: 'sandbox', CHANNEL_SECRETS: 'not-a-secret' })).toContain('CHANNEL_SECRETS');
    const env = productionEnv();
    expect(issuesOf({ ...env, PROFILE: 'testnet', CHANNEL_SECRETS: env.DISTRIBUTION_SECRET! })).toContain(
      'CHANNEL_SECRETS',
    );
  });
});

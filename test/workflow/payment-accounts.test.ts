import { Keypair, type Transaction, TransactionBuilder } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { productionEnv } from '../helpers/production-env.js';

/**
 * `npm run accounts:setup` on testnet/mainnet never holds the issuer key: it does the distribution account's part
 * (trust line, channel accounts) and prints the issuer's part as an unsigned transaction to sign offline.
 * Run here against the sandbox ledger with a testnet-profile configuration.
 */
describe('accounts setup outside the sandbox: the issuer signs offline (issue 4)', () => {
  let hz: SandboxHorizonHandle;
  beforeAll(async () => {
    hz = await startSandboxHorizon({ ledgerCloseMs: 200 });
  });
  afterAll(async () => {
    await hz?.stop();
  });

  it('prints an unsigned issuer transaction (home_domain + working balance); once signed, a rerun does nothing', async () => {
    const issuer = Keypair.random();
    const channel = Keypair.random();
    const env = { ...productionEnv(), PROFILE: 'testnet', ISSUER_PUBLIC_KEY: issuer.publicKey() };
    const config = loadConfig({ ...env, CHANNEL_SECRETS: channel.secret(), LOG_LEVEL: 'silent' });
    expect(config.stellar.issuerSecret).toBeUndefined();
    await hz.friendbot(issuer.publicKey());
    await hz.friendbot(config.stellar.distributionAccount);
    const lines: string[] = [];

    const first = await setupSandboxAccounts(config, { horizon: hz.server, log: (l) => lines.push(l) });
    expect(first.changes.some((c) => c.includes('trusts'))).toBe(true);
    expect(first.changes.some((c) => c.includes(channel.publicKey()))).toBe(true);
    expect(first.unsignedIssuerXdr).toBeDefined();
    expect(lines.join('\n')).toContain(first.unsignedIssuerXdr!);
    const tx = TransactionBuilder.fromXDR(first.unsignedIssuerXdr!, hz.passphrase) as Transaction;
    expect(tx.source).toBe(issuer.publicKey());
    expect(tx.signatures).toHaveLength(0);
    expect(tx.operations.map((op) => op.type)).toEqual(['setOptions', 'payment']);

    // The operator signs offline and submits; the next run finds nothing left to do.
    tx.sign(issuer);
    await hz.server.submitTransaction(tx);
    const second = await setupSandboxAccounts(config, { horizon: hz.server });
    expect(second).toEqual({ changes: [] });
  });
});

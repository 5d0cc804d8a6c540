import type { Networks } from '@stellar/stellar-sdk';
import {
  ApplicationConfiguration,
  SigningKeypair,
  StellarConfiguration,
  Wallet,
} from '@stellar/typescript-wallet-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';

/**
 * The official @stellar/typescript-wallet-sdk, unmodified, as a wallet uses it against the in-process anchor
 * (issue 14): toml discovery, SEP-10 through `anchor.sep10().authenticate()` with the SDK's own challenge checks,
 * then the token on SEP-24. The SDK compares `web_auth_domain` with the hostname of WEB_AUTH_ENDPOINT (no port),
 * which the sandbox default of SEP10_WEB_AUTH_DOMAIN matches.
 */
describe('official wallet SDK against the sandbox anchor (S10-13)', () => {
  let stack: AnchorStack;
  let wallet: Wallet;
  let homeDomain: string;

  beforeAll(async () => {
    stack = await startAnchorStack({ prefix: 'e2ewsdk' });
    homeDomain = new URL(stack.baseUrl).host;
    wallet = new Wallet({
      stellarConfiguration: new StellarConfiguration({
        network: stack.config.stellar.networkPassphrase as Networks,
        // The SDK refuses an http Horizon and has no allowHttp for it (only for the anchor's home domain, below);
        // SEP-10 and SEP-24 never call Horizon, so an https placeholder stands in for the sandbox ledger's URL.
        horizonUrl: 'https://horizon.invalid',
      }),
      applicationConfiguration: new ApplicationConfiguration(),
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('S10-13: the challenge carries the hostname without the port, the home domain keeps it', async () => {
    expect(stack.config.sep10.webAuthDomain).toBe('127.0.0.1');
    expect(stack.config.sep10.homeDomains[0]).toBe(homeDomain);
  });

  it('S10-13 S10-33: anchor.sep10().authenticate() gets a JWT that SEP-24 accepts', async () => {
    const user = await stack.walletUser();
    const anchor = wallet.anchor({ homeDomain, allowHttp: true });
    const auth = await anchor.sep10();
    const authToken = await auth.authenticate({ accountKp: SigningKeypair.fromSecret(user.secret()) });
    expect(authToken.account).toBe(user.publicKey());

    const list = await stack.call(`/sep24/transactions?asset_code=${stack.config.stellar.assetCode}`, {
      jwt: authToken.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.transactions).toEqual([]);
    const refused = await stack.call(`/sep24/transactions?asset_code=${stack.config.stellar.assetCode}`, {
      jwt: `${authToken.token}x`,
    });
    expect(refused.status).toBe(403);

    // S24-07: the SDK's SEP-24 deposit answers an interactive URL for a transaction the token owns.
    const deposit = await anchor.sep24().deposit({ assetCode: stack.config.stellar.assetCode, authToken });
    expect(deposit.type).toBe('interactive_customer_info_needed');
    expect(new URL(deposit.url ?? '').origin).toBe(stack.baseUrl);
    const tx = await stack.call(`/sep24/transaction?id=${deposit.id}`, { jwt: authToken.token });
    expect(tx.status).toBe(200);
    expect(tx.body.transaction).toMatchObject({ id: deposit.id, kind: 'deposit', status: 'incomplete' });

    // S6-04, S6-05: the SDK's SEP-6 deposit (TRANSFER_SERVER from the toml) with the same token.
    const sep6 = anchor.sep6();
    const info = await sep6.info();
    expect(info.deposit[stack.config.stellar.assetCode]).toMatchObject({ enabled: true });
    const sep6Deposit = await sep6.deposit({
      authToken,
      params: {
        asset_code: stack.config.stellar.assetCode,
        account: user.publicKey(),
        funding_method: 'bank_transfer',
      } as never,
    });
    expect(sep6Deposit).toMatchObject({ id: expect.any(String), how: expect.any(String) });
    const sep6Tx = await stack.call(`/sep6/transaction?id=${(sep6Deposit as { id: string }).id}`, {
      jwt: authToken.token,
    });
    expect(sep6Tx.status).toBe(200);
  }, 60_000);
});

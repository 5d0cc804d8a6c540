import { Asset, Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnchorStack, bankTransfer, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';
import { insertVerifiedCustomer } from '../helpers/customers.js';

/**
 * SEP-6 end to end on the real pieces: SEP-10 over HTTP, GET /sep6/deposit, the sandbox bank's signed webhook, the
 * DepositWorkflow paying on the sandbox ledger — here to accounts that did not exist when the deposit started
 * (S24-24: created with CreateAccount, then the trust line or a claimable balance).
 */
describe('SEP-6 end to end (sandbox bank, sandbox ledger)', () => {
  let stack: AnchorStack;
  let asset: Asset;

  beforeAll(async () => {
    stack = await startAnchorStack({
      prefix: 'e2es6',
      env: {
        DISTRIBUTION_SECRET: Keypair.random().secret(),
        SEP24_DEPOSIT_FEE_FIXED: '0.5',
        SEP24_CLAIMABLE_BALANCES: 'true',
        DEPOSIT_TRUST_POLL_SECONDS: '5',
        WITHDRAW_PAYOUT_POLL_SECONDS: '1',
        OBSERVER_POLL_INTERVAL_MS: '200',
      },
      observers: true,
    });
    asset = new Asset(stack.config.stellar.assetCode, stack.config.stellar.issuerAccount);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A key that has never been on the ledger, already KYC-accepted (tier 2) so the deposit goes straight on. */
  async function unfundedUser(): Promise<Keypair> {
    const user = Keypair.random();
    await insertVerifiedCustomer(stack.tdb.db, user.publicKey());
    return user;
  }

  const sep6 = (jwt: string, path: string, query: Record<string, string>) =>
    stack.call(`/sep6${path}?${new URLSearchParams(query)}`, { jwt });

  function waitForSep6(jwt: string, id: string, statuses: string[], timeoutMs = 60_000) {
    return waitFor(
      async () => {
        const r = await sep6(jwt, '/transaction', { id });
        const tx = r.body.transaction as Record<string, unknown> | undefined;
        return tx && statuses.includes(String(tx.status)) ? tx : undefined;
      },
      timeoutMs,
      `SEP-6 transaction ${id} to reach ${statuses.join('|')}`,
    );
  }

  async function startDeposit(jwt: string, user: Keypair, extra: Record<string, string> = {}) {
    const res = await sep6(jwt, '/deposit', {
      asset_code: 'USDC',
      account: user.publicKey(),
      funding_method: 'bank_transfer',
      amount: '50',
      ...extra,
    });
    expect(res.status).toBe(200);
    const instructions = res.body.instructions as Record<string, { value: string }>;
    return { id: String(res.body.id), reference: instructions['organization.external_transfer_memo']!.value };
  }

  it('S24-24, S6-05: deposit to a brand-new unfunded account: created with 2.01 XLM, pending_trust, trust line added, completed with the exact balance', async () => {
    const user = await unfundedUser();
    const jwt = await stack.token(user);
    const info = await stack.call('/sep6/info');
    expect((info.body.features as { account_creation: boolean }).account_creation).toBe(true);

    const { id, reference } = await startDeposit(jwt, user);
    await waitForSep6(jwt, id, ['pending_user_transfer_start']);
    await bankTransfer(stack.bank.url, reference, '50');

    const trust = await waitForSep6(jwt, id, ['pending_trust']);
    expect(trust.amount_out).toBe('49.5');
    const created = await stack.horizon.server.loadAccount(user.publicKey());
    expect(created.balances.find((b) => b.asset_type === 'native')?.balance).toBe('2.0100000');

    await stack.submit(user, [Operation.changeTrust({ asset })]);
    const done = await waitForSep6(jwt, id, ['completed'], 60_000);
    expect(done).toMatchObject({ kind: 'deposit', amount_in: '50', amount_fee: '0.5', amount_out: '49.5' });
    expect(await stack.balanceOf(user.publicKey())).toBe('49.5000000');
    const native = (await stack.horizon.server.loadAccount(user.publicKey())).balances.find(
      (b) => b.asset_type === 'native',
    );
    expect(native?.balance).toBe('2.0099900'); // the starting balance less the changeTrust fee
  });

  it('S6-18: a deposit announced without an amount is paid for what arrived, fee on that amount', async () => {
    const user = await stack.walletUser();
    const jwt = await stack.token(user);
    const res = await sep6(jwt, '/deposit', { asset_code: 'USDC', funding_method: 'bank_transfer' });
    expect(res.status).toBe(200);
    const id = String(res.body.id);
    const reference = (res.body.instructions as Record<string, { value: string }>)[
      'organization.external_transfer_memo'
    ]!.value;
    const waiting = await waitForSep6(jwt, id, ['pending_user_transfer_start']);
    expect(waiting.amount_in).toBeNull();
    await bankTransfer(stack.bank.url, reference, '30.25');
    const done = await waitForSep6(jwt, id, ['completed']);
    expect(done).toMatchObject({ amount_in: '30.25', amount_fee: '0.5', amount_out: '29.75' });
    expect(await stack.balanceOf(user.publicKey())).toBe('29.7500000');
  });

  it('S6-06, S6-11: a withdrawal started without dest: PATCH supplies it, the user pays with the memo, the bank pays out once, completed with exact balances', async () => {
    const user = await stack.walletUser({ balance: '100' });
    const jwt = await stack.token(user);
    const res = await sep6(jwt, '/withdraw', { asset_code: 'USDC', type: 'bank_transfer', amount: '40' });
    expect(res.status).toBe(200);
    const id = String(res.body.id);
    const waiting = await waitForSep6(jwt, id, ['pending_transaction_info_update']);
    expect(Object.keys(waiting.required_info_updates as object)).toEqual(['dest', 'dest_extra']);
    const patched = await stack.call(`/sep6/transactions/${id}`, {
      jwt,
      method: 'PATCH',
      body: { transaction: { dest: 'ES91 2100 0418 4502 0005 1332' } },
    });
    expect(patched.status).toBe(200);

    const ready = await waitForSep6(jwt, id, ['pending_user_transfer_start']);
    expect(ready).toMatchObject({ amount_in: '40', withdraw_memo_type: 'id' });
    const paid = await stack.submit(
      user,
      [
        Operation.payment({
          destination: String(ready.withdraw_anchor_account),
          asset,
          amount: '40',
        }),
      ],
      Memo.id(String(ready.withdraw_memo)),
    );
    const done = await waitForSep6(jwt, id, ['completed'], 90_000);
    expect(done).toMatchObject({ kind: 'withdrawal', stellar_transaction_id: paid.hash, amount_out: '40' });
    expect(await stack.balanceOf(user.publicKey())).toBe('60.0000000');
    const payouts = (await stack.bank.store.recentPayouts(200)).filter(
      (p) => p.idempotency_key === `payout-${id}`,
    );
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({ account_number: 'ES9121000418450200051332', status: 'completed' });
  }, 120_000);

  it('S24-24, S24-26: an unfunded account whose wallet takes claimable balances: created, paid by claimable balance, completed', async () => {
    const user = await unfundedUser();
    const jwt = await stack.token(user);
    const { id, reference } = await startDeposit(jwt, user, { claimable_balance_supported: 'true' });
    await waitForSep6(jwt, id, ['pending_user_transfer_start']);
    await bankTransfer(stack.bank.url, reference, '50');
    const done = await waitForSep6(jwt, id, ['completed']);
    expect(done.claimable_balance_id).toMatch(/^[0-9a-f]{72}$/);
    const page = await stack.horizon.server.claimableBalances().claimant(user.publicKey()).call();
    expect(page.records.map((r) => [r.id, r.amount])).toEqual([[done.claimable_balance_id, '49.5000000']]);
    expect(
      (await stack.horizon.server.loadAccount(user.publicKey())).balances.find(
        (b) => b.asset_type === 'native',
      )?.balance,
    ).toBe('2.0100000');
  });
});

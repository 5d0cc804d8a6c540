import { Asset, Keypair, Memo, Operation } from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnchorStack, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';
import { completeWithdrawPages } from './stack/wallet.js';

/**
 * Issue 16 item 4: a withdrawal completes within the bank's own latency after the payment, because the bank reports
 * the payout by its signed `payout.updated` webhook, which signals `withdraw-<id>`. The poll interval is a day here,
 * so only the webhook can complete it within the test's window (S24-31 pending_external → completed).
 */
const SETTLE_MS = 1500;

describe('withdrawal payout status by bank webhook (poll as fallback only)', () => {
  let stack: AnchorStack;

  beforeAll(async () => {
    stack = await startAnchorStack({
      prefix: 'e2epw',
      env: {
        DISTRIBUTION_SECRET: Keypair.random().secret(),
        WITHDRAW_PAYOUT_POLL_SECONDS: '86400',
        OBSERVER_POLL_INTERVAL_MS: '200',
      },
      observers: true,
      // The bank as it runs in the sandbox: payouts settle after a delay, then their webhook leaves at once.
      bank: { payoutSettleMs: SETTLE_MS, deliveryIntervalMs: 500 },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('pending_external → completed by the payout.updated webhook, long before the next poll (S24-31)', async () => {
    const { config, bank } = stack;
    const user = await stack.walletUser({ balance: '100' });
    const jwt = await stack.token(user);
    const started = await stack.call('/sep24/transactions/withdraw/interactive', {
      jwt,
      body: { asset_code: config.stellar.assetCode },
    });
    expect(started.status).toBe(200);
    const { id, url } = started.body as { id: string; url: string };
    await completeWithdrawPages(url, '25');
    const ready = (await stack.waitForStatus(jwt, id, ['pending_user_transfer_start'])) as Record<
      string,
      string
    >;

    const asset = new Asset(config.stellar.assetCode, config.stellar.issuerAccount);
    await stack.submit(
      user,
      [Operation.payment({ destination: ready.withdraw_anchor_account!, asset, amount: ready.amount_in! })],
      Memo.id(ready.withdraw_memo!),
    );
    const paidAt = Date.now();
    const done = await stack.waitForStatus(jwt, id, ['completed', 'error', 'refunded'], 60_000);
    const latencyMs = Date.now() - paidAt;
    expect(done.status).toBe('completed');
    // Payment seen, payout sent, bank settles after SETTLE_MS, webhook, signal: far under the 86,400 s poll.
    expect(latencyMs).toBeLessThan(SETTLE_MS + 20_000);

    const payout = await bank.store.payoutByKey(`payout-${id}`);
    expect(payout).toMatchObject({ status: 'completed' });
    expect(done.external_transaction_id).toBe(payout!.id);
    // The bank's webhook for this payout was delivered, and the anchor recorded the settled status from it.
    const delivery = await waitFor(
      async () => {
        const rows = await bank.store.db
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('payout_id', '=', payout!.id)
          .execute();
        return rows.length > 0 && rows.every((r) => r.status === 'delivered') ? rows : undefined;
      },
      10_000,
      'the payout webhook delivered',
    );
    expect(delivery).toHaveLength(1);
    expect(JSON.parse(delivery[0]!.body)).toMatchObject({
      type: 'payout.updated',
      data: { payout: { idempotency_key: `payout-${id}`, status: 'completed' } },
    });
    const row = await stack.tdb.db
      .selectFrom('bank_payouts')
      .selectAll()
      .where('payout_ref', '=', `payout-${id}`)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', bank_payout_id: payout!.id });
  }, 180_000);
});

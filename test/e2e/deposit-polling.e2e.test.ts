import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBankPollerSchedule } from '../../worker/bank-poller-schedule.js';
import { type AnchorStack, bankTransfer, startAnchorStack } from '../helpers/anchor-stack.js';
import { waitFor } from '../helpers/bank.js';
import { completeDepositPages } from './stack/wallet.js';

/**
 * Issue 7: the end-to-end deposit "and the same again with the polling rail". The sandbox bank's webhooks point
 * nowhere (connection refused), so the only way the anchor learns of the transfer is the bank poller Schedule
 * (bankPollerWorkflow → pollBankTransfers) on the real worker; the deposit is then paid on the sandbox ledger.
 */
describe('SEP-24 deposit end to end over the polling rail (bank webhook undeliverable)', () => {
  let s: AnchorStack;
  let scheduleId: string;

  beforeAll(async () => {
    s = await startAnchorStack({
      prefix: 'e2epoll',
      // Port 9 (discard) on loopback: nothing listens, every delivery is refused.
      bankWebhookUrl: 'http://127.0.0.1:9/webhooks/bank',
      env: { BANK_POLL_INTERVAL_SECONDS: '1', SEP24_DEPOSIT_FEE_FIXED: '0.5' },
    });
    scheduleId = `bank-poller-e2e-${randomBytes(4).toString('hex')}`;
    await ensureBankPollerSchedule(s.temporal.client, s.config, {
      scheduleId,
      taskQueue: s.config.temporal.taskQueue,
    });
  });
  afterAll(async () => {
    await s?.temporal.client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => {});
    await s?.close();
  });

  it('token → deposit → hosted pages → bank transfer (no webhook) → poller picks it up → paid on Stellar → completed (issue 7, S24-12)', async () => {
    const user = await s.walletUser();
    const jwt = await s.token(user);
    const started = await s.call('/sep24/transactions/deposit/interactive', {
      jwt,
      body: { asset_code: s.config.stellar.assetCode, lang: 'en' },
    });
    expect(started.status).toBe(200);
    const { id, url } = started.body as { id: string; url: string };
    const reference = await completeDepositPages(url, '80.25');
    await bankTransfer(s.bank.url, reference, '80.25');

    const done = await s.waitForStatus(jwt, id, ['completed', 'error', 'refunded'], 120_000);
    expect(done).toMatchObject({
      id,
      status: 'completed',
      amount_in: '80.25',
      amount_fee: '0.5',
      amount_out: '79.75',
      to: user.publicKey(),
    });
    expect(done.stellar_transaction_id).toMatch(/^[0-9a-f]{64}$/);
    expect(done.external_transaction_id).toBeTruthy();
    expect(await s.balanceOf(user.publicKey())).toBe('79.7500000');
    const onLedger = await s.horizon.server
      .transactions()
      .transaction(String(done.stellar_transaction_id))
      .call();
    expect(onLedger.successful).toBe(true);

    // It really was the polling rail: the anchor recorded the transfer from a poll, and the bank never
    // managed to deliver its webhook (delivery still pending or failed, never delivered).
    const recorded = await s.tdb.db
      .selectFrom('bank_transfers')
      .select(['id', 'source', 'status', 'transaction_id'])
      .where('transaction_id', '=', id)
      .execute();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ source: 'poll', status: 'signalled' });
    const atBank = await waitFor(
      async () => {
        const t = (await s.bank.store.recentTransfers(50)).find((x) => x.id === recorded[0]!.id);
        return t && (t.delivery_attempts ?? 0) > 0 ? t : undefined;
      },
      30_000,
      'the bank to have tried its webhook',
    );
    expect(atBank.delivery_status).not.toBe('delivered');
  });
});

import { randomBytes } from 'node:crypto';
import { ScheduleNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBankActivities, pollBankOnce } from '../../activities/bank.js';
import type { AppConfig } from '../../config/index.js';
import { type BankClient, createBankClient } from '../../core/bank/client.js';
import { ingestBankTransfer, temporalDepositSignaller } from '../../core/bank/intake.js';
import { createBankRails } from '../../core/bank/rails.js';
import { getPollCursor, virtualAccountOf } from '../../db/bank.js';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import { ensureBankPollerSchedule } from '../../worker/bank-poller-schedule.js';
import { startTestBank, waitFor } from '../helpers/bank.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { historyRecorder } from './history-recorder.js';
import { bankSignalsSeenQuery } from './probes/messages.js';

const ACCOUNT = 'GBQDTJ5LHWDWDQS6XU4MS6Q6D6RB6NDWMAJGVQ3U34FPXURFUPJAPRPS';

describe('bank poller, reconciler and payouts (issue 7 part 4, issue 8 bank side)', () => {
  let tdb: TestDb;
  let bank: SandboxBank;
  let config: AppConfig;
  let client: BankClient;
  let temporal: TestTemporal;
  const probes: WorkflowHandle[] = [];
  const recorder = historyRecorder('bank-poller');

  beforeAll(async () => {
    tdb = await createTestDb('bpoll');
    // Webhooks go nowhere here: everything must arrive by polling.
    bank = await startTestBank(testConfig(), 'http://127.0.0.1:9/webhooks/bank');
    config = testConfig({ BANK_API_URL: bank.url, BANK_POLL_INTERVAL_SECONDS: '3600' });
    client = createBankClient(config.bank);
    temporal = await startTestWorker(
      { config, db: tdb.db },
      { activities: createBankActivities({ config, db: tdb.db }) },
    );
  });
  afterAll(async () => {
    await recorder.save();
    await Promise.all(probes.map((p) => p.terminate().catch(() => {})));
    await temporal?.stop();
    await bank?.close({ dropSchema: true });
    await tdb?.destroy();
  });

  async function liveDeposit(): Promise<{ id: string; reference: string }> {
    const id = randomBytes(8).toString('hex');
    const reference = `DEP${randomBytes(5).toString('hex').toUpperCase()}`;
    await tdb.db
      .insertInto('transactions')
      .values({
        id,
        kind: 'deposit',
        status: 'pending_user_transfer_start',
        sub: ACCOUNT,
        sub_account: ACCOUNT,
        asset_code: 'USDC',
        stellar_account: ACCOUNT,
        bank_reference: reference,
      } as never)
      .execute();
    probes.push(
      await temporal.client.workflow.start('bankSignalProbeWorkflow', {
        taskQueue: temporal.taskQueue,
        workflowId: `deposit-${id}`,
      }),
    );
    return { id, reference };
  }
  const seen = (id: string) =>
    temporal.client.workflow.getHandle(`deposit-${id}`).query(bankSignalsSeenQuery);
  const bankSend = (reference: string, amount = '10.00') =>
    bank.store.createTransfer({ reference, amount, currency: 'USD', fromAccount: 'DE89370400440532013000' });
  const pollDeps = (
    overrides: { bank?: BankClient; signal?: ReturnType<typeof temporalDepositSignaller> } = {},
  ) => ({
    db: tdb.db,
    config,
    bank: overrides.bank ?? client,
    signal: overrides.signal ?? temporalDepositSignaller(temporal.client),
  });
  const recordedIds = async () =>
    (await tdb.db.selectFrom('bank_transfers').select('id').execute()).map((r) => r.id).sort();
  const bankIds = async () =>
    (await bank.store.db.selectFrom('transfers').select('id').execute()).map((r) => r.id).sort();

  it('reads every transfer once by cursor, across restarts and a crash mid-way: no gaps, no duplicates', async () => {
    const a = await liveDeposit();
    const b = await liveDeposit();
    await bankSend(a.reference);
    await bankSend('nothing 1');
    await bankSend(`ref ${b.reference}`);
    await bankSend('nothing 2');
    await bankSend('nothing 3');

    const first = await pollBankOnce(pollDeps(), { pageSize: 2 });
    expect(first).toMatchObject({ fetched: 5, recorded: 5, signalled: 2, unmatched: 3, retryLater: 0 });
    expect(await getPollCursor(tdb.db, 'incoming_transfers')).toBe(first.cursor);
    await waitFor(async () => (await seen(a.id)).length === 1 && (await seen(b.id)).length === 1);

    // A fresh poller (as after a worker restart) resumes from the stored cursor.
    for (let i = 0; i < 5; i++) await bankSend(`later ${i}`);
    // It crashes after its first page: the cursor holds what was recorded, nothing more.
    let calls = 0;
    const flaky: BankClient = {
      ...client,
      listTransfers: async (cursor, limit) => {
        if (++calls === 2) throw new Error('connection reset');
        return client.listTransfers(cursor, limit);
      },
    };
    await expect(pollBankOnce(pollDeps({ bank: flaky }), { pageSize: 2 })).rejects.toThrow(
      'connection reset',
    );
    const resumed = await pollBankOnce(pollDeps(), { pageSize: 2 });
    expect(resumed.fetched).toBe(3); // 5 new - the 2 of the page recorded before the crash
    expect(await recordedIds()).toEqual(await bankIds());
    const idle = await pollBankOnce(pollDeps());
    expect(idle).toMatchObject({ fetched: 0, recorded: 0, signalled: 0 });
    // Both deposits still saw exactly one signal each.
    expect((await seen(a.id)).length).toBe(1);
    expect((await seen(b.id)).length).toBe(1);
  });

  it('a transfer the webhook already delivered is recorded once and not signalled again by polling', async () => {
    const d = await liveDeposit();
    const { transfer } = await bankSend(d.reference);
    const viaWebhook = await ingestBankTransfer(
      {
        db: tdb.db,
        matching: 'reference',
        currency: 'USD',
        signal: temporalDepositSignaller(temporal.client),
      },
      {
        id: transfer.id,
        reference: transfer.reference,
        amount: transfer.amount,
        currency: transfer.currency,
        fromAccount: transfer.from_account,
        bookedAt: transfer.booked_at,
      },
      'webhook',
    );
    expect(viaWebhook.result).toBe('signalled');
    const polled = await pollBankOnce(pollDeps(), { retryGraceMs: 0 });
    expect(polled).toMatchObject({ fetched: 1, recorded: 0, signalled: 0 });
    await waitFor(async () => (await seen(d.id)).length === 1);
    expect((await seen(d.id)).length).toBe(1);
  });

  it('reconciles: a signal that failed (Temporal unreachable) stays received and is delivered by the next pass', async () => {
    const d = await liveDeposit();
    await bankSend(d.reference);
    const down = async () => {
      throw new Error('14 UNAVAILABLE: connection refused');
    };
    const failed = await pollBankOnce(pollDeps({ signal: down }));
    expect(failed).toMatchObject({ fetched: 1, signalled: 0, retryLater: 1 });
    const row = await tdb.db
      .selectFrom('bank_transfers')
      .selectAll()
      .where('transaction_id', '=', d.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'received', delivery_attempts: 1 });
    expect(row.last_error).toContain('UNAVAILABLE');
    expect(await seen(d.id)).toEqual([]);

    const retried = await pollBankOnce(pollDeps(), { retryGraceMs: 0 });
    expect(retried).toMatchObject({ fetched: 0, signalled: 1 });
    await waitFor(async () => (await seen(d.id)).length === 1);
    expect((await seen(d.id))[0]!.bankTransferId).toBe(row.id);
  });

  it('a signalled transfer the deposit ended without using (expired meanwhile) goes to the unmatched queue', async () => {
    const late = await liveDeposit();
    const used = await liveDeposit();
    const { transfer: lateTransfer } = await bankSend(late.reference);
    const { transfer: usedTransfer } = await bankSend(used.reference);
    expect(await pollBankOnce(pollDeps())).toMatchObject({ signalled: 2, orphaned: 0 });
    // The race: `late` expired while its signal was in flight; `used` completed with its transfer.
    await tdb.db.updateTable('transactions').set({ status: 'expired' }).where('id', '=', late.id).execute();
    await tdb.db
      .updateTable('transactions')
      .set({ status: 'completed', external_transaction_id: usedTransfer.id })
      .where('id', '=', used.id)
      .execute();
    expect(await pollBankOnce(pollDeps())).toMatchObject({ orphaned: 1 });
    const queued = await tdb.db
      .selectFrom('unmatched_bank_transfers')
      .selectAll()
      .where('bank_transfer_id', 'in', [lateTransfer.id, usedTransfer.id])
      .execute();
    expect(queued).toEqual([
      expect.objectContaining({
        bank_transfer_id: lateTransfer.id,
        reason: 'deposit_not_live',
        state: 'open',
        candidate_transaction_ids: [late.id],
      }),
    ]);
    const statuses = await tdb.db
      .selectFrom('bank_transfers')
      .select(['id', 'status'])
      .where('id', 'in', [lateTransfer.id, usedTransfer.id])
      .orderBy('id')
      .execute();
    expect(Object.fromEntries(statuses.map((r) => [r.id, r.status]))).toEqual({
      [lateTransfer.id]: 'unmatched',
      [usedTransfer.id]: 'signalled',
    });
    expect(await pollBankOnce(pollDeps())).toMatchObject({ orphaned: 0 });
  });

  it('ensureBankPollerSchedule is idempotent, follows the configured interval, and its runs deliver transfers', async () => {
    const scheduleId = `bank-poller-test-${randomBytes(4).toString('hex')}`;
    const opts = { scheduleId, taskQueue: temporal.taskQueue };
    const handle = (await ensureBankPollerSchedule(temporal.client, config, opts))!;
    try {
      await ensureBankPollerSchedule(temporal.client, config, opts);
      const described = await handle.describe();
      expect(described.spec.intervals?.[0]?.every).toBe(3_600_000);
      expect(described.policies.overlap).toBe('SKIP');
      await ensureBankPollerSchedule(
        temporal.client,
        testConfig({ BANK_API_URL: bank.url, BANK_POLL_INTERVAL_SECONDS: '30' }),
        opts,
      );
      expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(30_000);

      // A run of the schedule: bankPollerWorkflow → pollBankTransfers (the worker's own client signals).
      const d = await liveDeposit();
      await bankSend(`Deposit ${d.reference}`);
      await handle.trigger();
      await waitFor(
        async () => (await seen(d.id)).length === 1,
        60_000,
        'scheduled poll to signal the deposit',
      );
      const run = (await handle.describe()).info.recentActions.at(-1)?.action.workflow;
      if (run) recorder.track(temporal.client.workflow.getHandle(run.workflowId));

      // 0 switches polling off: the schedule goes away (and switching off twice is fine).
      const off = testConfig({ BANK_API_URL: bank.url, BANK_POLL_INTERVAL_SECONDS: '0' });
      expect(await ensureBankPollerSchedule(temporal.client, off, opts)).toBeUndefined();
      await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      expect(await ensureBankPollerSchedule(temporal.client, off, opts)).toBeUndefined();
    } finally {
      await handle.delete().catch(() => {});
    }
  });

  describe('payouts (withdrawals) and refunds (deposits)', () => {
    const rails = () => createBankRails({ db: tdb.db, bank: client });
    const input = (payoutRef: string, account = 'NL91ABNA0417164300') => ({
      payoutRef,
      amount: '95.5',
      currency: 'USD',
      destination: { name: 'Ann Lee', account },
      transactionId: `w-${payoutRef}`,
    });
    const bankPayouts = (key: string) =>
      bank.store.db.selectFrom('payouts').selectAll().where('idempotency_key', '=', key).execute();

    it('the same payoutRef twice (or concurrently) makes one bank payout', async () => {
      const ref = `payout-${randomBytes(4).toString('hex')}`;
      const [a, b] = await Promise.all([
        rails().sendBankPayout(input(ref)),
        rails().sendBankPayout(input(ref)),
      ]);
      const c = await rails().sendBankPayout(input(ref));
      expect(a!.bankPayoutId).toBeTruthy();
      expect(new Set([a!.bankPayoutId, b!.bankPayoutId, c.bankPayoutId]).size).toBe(1);
      expect(await bankPayouts(ref)).toHaveLength(1);
      expect((await bankPayouts(ref))[0]).toMatchObject({
        amount: '95.5000000',
        account_number: 'NL91ABNA0417164300',
      });
      expect(await rails().getBankPayoutStatus(ref)).toMatchObject({
        status: 'completed',
        bankPayoutId: a!.bankPayoutId,
      });
      const local = await tdb.db
        .selectFrom('bank_payouts')
        .selectAll()
        .where('payout_ref', '=', ref)
        .executeTakeFirstOrThrow();
      expect(local).toMatchObject({
        status: 'completed',
        bank_payout_id: a!.bankPayoutId,
        transaction_id: `w-${ref}`,
      });
      // Once settled, a repeat does not even call the bank again.
      expect(await rails().sendBankPayout(input(ref))).toMatchObject({ status: 'completed' });
    });

    it('tester-driven failure: an account ending in 0000 ends failed with the reason', async () => {
      const ref = `payout-${randomBytes(4).toString('hex')}`;
      expect((await rails().sendBankPayout(input(ref, 'NL91ABNA0417160000'))).status).toBe('pending');
      expect(await rails().getBankPayoutStatus(ref)).toMatchObject({
        status: 'failed',
        failureReason: 'account_closed',
      });
      const ref2 = `payout-${randomBytes(4).toString('hex')}`;
      await rails().sendBankPayout(input(ref2, 'NL91ABNA0417169999'));
      expect((await rails().getBankPayoutStatus(ref2)).status).toBe('pending');
    });

    it("a payout the bank refuses is ApplicationFailure.nonRetryable 'BankPayoutRejected'", async () => {
      const ref = `payout-${randomBytes(4).toString('hex')}`;
      const err = await rails()
        .sendBankPayout(input(ref, 'not an account!'))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type: 'BankPayoutRejected', nonRetryable: true });
      expect(
        await tdb.db
          .selectFrom('bank_payouts')
          .select('status')
          .where('payout_ref', '=', ref)
          .executeTakeFirst(),
      ).toEqual({
        status: 'failed',
      });
      const bad = await rails()
        .sendBankPayout({ ...input(`payout-${randomBytes(4).toString('hex')}`), amount: '-1' })
        .catch((e: unknown) => e);
      expect(bad).toMatchObject({ type: 'BankPayoutRejected', nonRetryable: true });
      const unknown = await rails()
        .getBankPayoutStatus('payout-never-sent')
        .catch((e: unknown) => e);
      expect(unknown).toMatchObject({ type: 'NotFound', nonRetryable: true });
    });

    it('refundBankTransfer pays the sender back once per ref', async () => {
      const { transfer } = await bankSend('stray', '42.00');
      await pollBankOnce(pollDeps());
      const ref = `refund-${randomBytes(4).toString('hex')}`;
      const args = { ref, bankTransferId: transfer.id, amount: '42', reason: 'amount mismatch' };
      const first = await rails().refundBankTransfer(args);
      const again = await rails().refundBankTransfer(args);
      expect(again.refundId).toBe(first.refundId);
      expect(await bankPayouts(ref)).toEqual([
        expect.objectContaining({
          account_number: 'DE89370400440532013000',
          amount: '42.0000000',
          id: first.refundId,
        }),
      ]);
      await expect(
        rails().refundBankTransfer({ ...args, bankTransferId: 'tr_missing' }),
      ).rejects.toMatchObject({
        type: 'NotFound',
      });
    });

    it('refundUnmatchedTransfer pays an unmatched transfer back once and closes the queue item', async () => {
      const { transfer } = await bankSend('no idea what this is', '13.37');
      await pollBankOnce(pollDeps());
      const item = await tdb.db
        .selectFrom('unmatched_bank_transfers')
        .selectAll()
        .where('bank_transfer_id', '=', transfer.id)
        .executeTakeFirstOrThrow();
      expect(item).toMatchObject({ state: 'open', reason: 'no_match' });
      const { refundId } = await rails().refundUnmatchedTransfer(
        transfer.id,
        'ops@example.com',
        'unknown sender',
      );
      expect(await bankPayouts(`refund-unmatched-${transfer.id}`)).toEqual([
        expect.objectContaining({
          id: refundId,
          amount: '13.3700000',
          account_number: 'DE89370400440532013000',
        }),
      ]);
      expect(
        await tdb.db
          .selectFrom('unmatched_bank_transfers')
          .selectAll()
          .where('bank_transfer_id', '=', transfer.id)
          .executeTakeFirstOrThrow(),
      ).toMatchObject({ state: 'refunded', refund_reference: refundId, resolved_by: 'ops@example.com' });
      await expect(rails().refundUnmatchedTransfer(transfer.id, 'ops', 'again')).rejects.toMatchObject({
        code: 'not_open',
      });
      await expect(rails().refundUnmatchedTransfer('tr_nope', 'ops')).rejects.toMatchObject({
        code: 'not_found',
      });
      expect(await bankPayouts(`refund-unmatched-${transfer.id}`)).toHaveLength(1);
    });

    it('ensureVirtualAccount asks the bank once per sub and remembers the mapping', async () => {
      const sub = `${ACCOUNT}:${randomBytes(3).toString('hex')}`;
      const a = await rails().ensureVirtualAccount(sub);
      const b = await rails().ensureVirtualAccount(sub);
      expect(a).toBe(b);
      expect(await virtualAccountOf(tdb.db, sub)).toBe(a);
      const viaActivity = await createBankActivities({ config, db: tdb.db }).ensureBankVirtualAccount({
        sub,
      });
      expect(viaActivity).toEqual({ accountNumber: a });
      expect(
        await bank.store.db
          .selectFrom('virtual_accounts')
          .selectAll()
          .where('customer_ref', '=', sub)
          .execute(),
      ).toHaveLength(1);
    });
  });
});

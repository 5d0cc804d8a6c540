import { randomBytes, randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKycActivities } from '../../activities/kyc.js';
import { createNotifyActivities } from '../../activities/notify.js';
import { createRecordActivities } from '../../activities/records.js';
import { createWithdrawalActivities, type WithdrawalRails } from '../../activities/withdrawal.js';
import type { AppConfig } from '../../config/index.js';
import { type BankDestination, withdrawalPolicyFromConfig } from '../../core/policies/withdrawal.js';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import { encryptAtRest } from '../../stellar/crypto.js';
import {
  interactiveCompletedSignal,
  kycStatusSignal,
  operatorDecisionSignal,
  operatorRefundSignal,
  paymentReceivedSignal,
  type ReceivedPayment,
  transactionStatusQuery,
} from '../../workflows/messages.js';
import type { WithdrawalInput, WithdrawalPolicy, withdrawalWorkflow } from '../../workflows/withdrawal.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import {
  createBundleWorker,
  createTimeSkippingEnv,
  startBundleWorker,
  waitForStatus,
} from '../helpers/workflow.js';
import { historyRecorder } from './history-recorder.js';

/**
 * The withdrawal workflow on Temporal's time-skipping test server, with the real activities against a real
 * Postgres schema. Only the outside world (the bank, the Stellar network) is a test double: an in-memory bank
 * and ledger that deduplicate by reference, like the real rails do.
 */

class FakeRails implements WithdrawalRails {
  payouts = new Map<
    string,
    { amount: string; currency: string; destination: BankDestination; polls: number }
  >();
  payoutCalls = 0;
  stellarPayments = new Map<
    string,
    {
      destination: string;
      amount: string;
      asset: { code: string; issuer: string | null };
      memo?: { type: string; value: string } | undefined;
    }
  >();
  /** What the bank does with the next payouts: settle at once, stay pending for n polls, or reject. */
  payoutBehaviour:
    | { kind: 'complete' }
    | { kind: 'pending'; polls: number }
    | { kind: 'reject' }
    | { kind: 'reject-later' } = { kind: 'complete' };

  async sendBankPayout(input: Parameters<WithdrawalRails['sendBankPayout']>[0]) {
    this.payoutCalls++;
    if (this.payoutBehaviour.kind === 'reject') return { status: 'failed', bankPayoutId: null };
    if (!this.payouts.has(input.payoutRef)) {
      this.payouts.set(input.payoutRef, {
        amount: input.amount,
        currency: input.currency,
        destination: input.destination,
        polls: 0,
      });
    }
    if (this.payoutBehaviour.kind === 'complete')
      return { status: 'completed', bankPayoutId: `bank-${input.payoutRef}` };
    return { status: 'pending', bankPayoutId: `bank-${input.payoutRef}` };
  }
  async getBankPayoutStatus(payoutRef: string) {
    const p = this.payouts.get(payoutRef);
    if (!p) return { status: 'failed', failureReason: 'unknown payout' };
    p.polls++;
    if (this.payoutBehaviour.kind === 'reject-later')
      return { status: 'rejected', failureReason: 'account closed' };
    if (this.payoutBehaviour.kind === 'pending' && p.polls < this.payoutBehaviour.polls)
      return { status: 'pending' };
    return { status: 'completed', bankPayoutId: `bank-${payoutRef}` };
  }
  async sendPayment(input: Parameters<WithdrawalRails['sendPayment']>[0]) {
    if (!this.stellarPayments.has(input.ref)) {
      this.stellarPayments.set(input.ref, {
        destination: input.destination,
        amount: input.amount,
        asset: input.asset,
        memo: input.memo,
      });
    }
    return { hash: `hash-${input.ref}` };
  }
}

const USER = 'GAUSERAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const DESTINATION: BankDestination = { name: 'Ada Lovelace', account: 'ES9121000418450200051332' };

describe('WithdrawalWorkflow (time skipping, real Postgres)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let config: AppConfig;
  let rails: FakeRails;
  let worker: Awaited<ReturnType<typeof startBundleWorker>>;
  const taskQueue = `withdraw-${randomBytes(4).toString('hex')}`;
  const recorder = historyRecorder('withdrawal');

  beforeAll(async () => {
    env = await createTimeSkippingEnv({ searchAttributes: true });
    tdb = await createTestDb('wd');
    config = testConfig({
      SEP24_WITHDRAW_FEE_FIXED: '1',
      SEP24_WITHDRAW_FEE_PERCENT: '1',
      SEP24_WITHDRAW_MIN_AMOUNT: '5',
      SEP24_WITHDRAW_MAX_AMOUNT: '5000',
      WITHDRAW_APPROVAL_THRESHOLD: '1000',
    });
    rails = new FakeRails();
    // USER passed KYC up to tier 2 before; other accounts start unknown.
    await tdb.db
      .insertInto('customers')
      .values({ id: randomUUID(), account: USER, memo: '', status: 'ACCEPTED', accepted_tier: 2 })
      .execute();
    worker = await startBundleWorker(env, taskQueue, {
      ...createRecordActivities({ config, db: tdb.db }),
      ...createNotifyActivities({ config }),
      ...createKycActivities({ config, db: tdb.db }),
      ...createWithdrawalActivities({ config, db: tdb.db, rails }),
    });
  });

  afterAll(async () => {
    await recorder.save();
    await worker?.stop();
    await env?.teardown();
    await tdb?.destroy();
  });

  function policy(overrides: Partial<WithdrawalPolicy> = {}): WithdrawalPolicy {
    return { ...withdrawalPolicyFromConfig(config), ...overrides };
  }

  async function newWithdrawal(
    opts: {
      refundMemo?: WithdrawalInput['refundMemo'];
      policy?: Partial<WithdrawalPolicy>;
      account?: string;
      accountMemo?: string;
      lang?: string;
    } = {},
  ) {
    const id = randomUUID();
    await tdb.db
      .insertInto('transactions')
      .values({
        id,
        kind: 'withdrawal',
        status: 'incomplete',
        sub: opts.account ?? USER,
        sub_account: opts.account ?? USER,
        sub_memo: opts.accountMemo ?? null,
        asset_code: config.stellar.assetCode,
        asset_issuer: config.stellar.issuerAccount,
        stellar_account: USER,
      })
      .execute();
    await tdb.db
      .insertInto('withdrawal_details')
      .values({
        transaction_id: id,
        destination_ciphertext: encryptAtRest(config.withdraw.encryptionKey, JSON.stringify(DESTINATION), id),
        destination_masked: '****1332',
      })
      .execute();
    const input: WithdrawalInput = {
      transactionId: id,
      account: opts.account ?? USER,
      accountMemo: opts.accountMemo ?? null,
      sourceAccount: opts.account ?? USER,
      lang: opts.lang ?? 'en',
      assetCode: config.stellar.assetCode,
      assetIssuer: config.stellar.issuerAccount,
      refundMemo: opts.refundMemo ?? null,
      policy: policy(opts.policy),
    };
    const handle = await env.client.workflow.start<typeof withdrawalWorkflow>('withdrawalWorkflow', {
      taskQueue,
      workflowId: `withdraw-${id}`,
      args: [input],
    });
    recorder.track(handle);
    return { id, handle };
  }

  async function row(id: string) {
    return tdb.db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  async function fillForm(handle: WorkflowHandle, amount: string) {
    await handle.signal(interactiveCompletedSignal, { amount, destinationMasked: '****1332', lang: 'en' });
    await waitForStatus(handle, 'pending_user_transfer_start');
  }

  function payment(
    id: string,
    amount: string,
    memo: string,
    over: Partial<ReceivedPayment> = {},
  ): ReceivedPayment {
    return {
      operationId: `op-${id}`,
      transactionHash: `tx-${id}`,
      from: USER,
      amount,
      assetCode: config.stellar.assetCode,
      assetIssuer: config.stellar.issuerAccount,
      memo,
      memoType: 'id',
      ...over,
    };
  }

  /** The reasons the withdrawal was held for an operator (undefined until the review starts). */
  async function approvalReasons(id: string) {
    const details = await tdb.db
      .selectFrom('withdrawal_details')
      .select('approval_reasons')
      .where('transaction_id', '=', id)
      .executeTakeFirst();
    return details?.approval_reasons;
  }

  async function alerts(id: string) {
    return tdb.db.selectFrom('alerts').selectAll().where('transaction_id', '=', id).execute();
  }

  it('happy path: form → pending_user_transfer_start with a unique id memo → payment → one payout → completed (S24-21, S24-22)', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '100');
    const waiting = await row(id);
    expect(waiting.status).toBe('pending_user_transfer_start');
    expect(waiting.memo_type).toBe('id');
    expect(waiting.memo).toMatch(/^\d+$/);
    expect(waiting.withdraw_anchor_account).toBe(config.stellar.distributionAccount);
    expect(waiting.amount_in).toBe('100.0000000');
    expect(waiting.amount_fee).toBe('2.0000000'); // 1 fixed + 1 %
    expect(waiting.amount_out).toBe('98.0000000');
    expect(waiting.user_action_required_by).not.toBeNull();
    expect(waiting.to_address).toBe('****1332');

    const second = await newWithdrawal();
    await fillForm(second.handle, '10');
    expect((await row(second.id)).memo).not.toBe(waiting.memo);
    await second.handle.terminate('not needed');

    await handle.signal(paymentReceivedSignal, payment(id, '100', waiting.memo!));
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const done = await row(id);
    expect(done.status).toBe('completed');
    expect(done.stellar_transaction_id).toBe(`tx-${id}`);
    expect(done.external_transaction_id).toBe(`bank-payout-${id}`);
    expect(done.completed_at).not.toBeNull();
    expect(done.user_action_required_by).toBeNull();
    const payout = rails.payouts.get(`payout-${id}`);
    expect(payout).toMatchObject({ amount: '98', currency: 'USD', destination: DESTINATION });
  });

  it('duplicate payment signals (same operation id) → exactly one payout (S24-22)', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '50');
    const memo = (await row(id)).memo!;
    const before = rails.payoutCalls;
    const p = payment(id, '50', memo);
    await handle.signal(paymentReceivedSignal, p);
    await handle.signal(paymentReceivedSignal, p);
    await handle.signal(paymentReceivedSignal, p);
    expect((await handle.result()).status).toBe('completed');
    expect(rails.payoutCalls - before).toBe(1);
    expect([...rails.payouts.keys()].filter((k) => k === `payout-${id}`)).toHaveLength(1);
  });

  it('user never pays → expired after the payment window (S24-31)', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '20');
    expect((await handle.result()).status).toBe('expired');
    const r = await row(id);
    expect(r.status).toBe('expired');
    expect(r.user_action_required_by).toBeNull();
  });

  it('form never finished → expired, message in the transaction language (X-11)', async () => {
    const { id, handle } = await newWithdrawal({ lang: 'es-AR' });
    expect((await handle.result()).status).toBe('expired');
    expect(await row(id)).toMatchObject({
      status: 'expired',
      message: 'El formulario de retiro no se completó a tiempo.',
    });
  });

  it('above the approval threshold, approved within the SLA → paid out, no alert', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '1500');
    await handle.signal(paymentReceivedSignal, payment(id, '1500', (await row(id)).memo!));
    await waitForStatus(handle, 'pending_anchor');
    // The workflow is now waiting for a decision: nothing is paid out before it.
    await expect.poll(() => approvalReasons(id), { timeout: 30_000 }).toEqual(['amount_above_threshold']);
    expect(rails.payouts.has(`payout-${id}`)).toBe(false);
    await handle.signal(operatorDecisionSignal, { decision: 'approve', operator: 'ops@anchor' });
    expect((await handle.result()).status).toBe('completed');
    expect(rails.payouts.get(`payout-${id}`)?.amount).toBe('1484'); // 1500 − (1 + 15)
    expect(await alerts(id)).toHaveLength(0);
    const details = await tdb.db
      .selectFrom('withdrawal_details')
      .selectAll()
      .where('transaction_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(details.decision).toBe('approve');
    expect(details.decided_by).toBe('ops@anchor');
  });

  it('waiting for an operator → status_eta is the time left to the approval SLA, cleared after the decision (S24 status_eta)', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '1500');
    expect((await row(id)).status_eta).toBeNull();
    await handle.signal(paymentReceivedSignal, payment(id, '1500', (await row(id)).memo!));
    await expect.poll(async () => (await row(id)).status_eta, { timeout: 30_000 }).not.toBeNull();
    const waiting = await row(id);
    expect(waiting.status).toBe('pending_anchor');
    expect(waiting.status_eta).toBeGreaterThan(0);
    expect(waiting.status_eta).toBeLessThanOrEqual(config.withdraw.approvalSlaSeconds);
    expect(toSep24Transaction(config, waiting).status_eta).toBe(waiting.status_eta);
    await handle.signal(operatorDecisionSignal, { decision: 'approve', operator: 'ops@anchor' });
    expect((await handle.result()).status).toBe('completed');
    expect((await row(id)).status_eta).toBeNull();
  });

  it('rejected by the operator → full refund to the sender with refund_memo, status refunded (S24-14, S24-33)', async () => {
    const { id, handle } = await newWithdrawal({ refundMemo: { type: 'text', value: 'refund-me' } });
    await fillForm(handle, '2000');
    await handle.signal(paymentReceivedSignal, payment(id, '2000', (await row(id)).memo!));
    await expect.poll(() => approvalReasons(id), { timeout: 30_000 }).toEqual(['amount_above_threshold']);
    await handle.signal(operatorDecisionSignal, {
      decision: 'reject',
      operator: 'ops@anchor',
      reason: 'suspicious',
    });
    const result = await handle.result();
    expect(result.status).toBe('refunded');
    expect(rails.payouts.has(`payout-${id}`)).toBe(false);
    expect(rails.stellarPayments.get(`refund-${id}`)).toEqual({
      destination: USER,
      amount: '2000',
      asset: { code: config.stellar.assetCode, issuer: config.stellar.issuerAccount },
      memo: { type: 'text', value: 'refund-me' },
    });
    const r = await row(id);
    expect(r.status).toBe('refunded');
    expect(r.refunds).toEqual({
      amount_refunded: '2000',
      amount_fee: '0',
      payments: [{ id: `hash-refund-${id}`, id_type: 'stellar', amount: '2000', fee: '0' }],
    });
    expect(r.amount_in).toBe('2000.0000000');
    expect(r.amount_out).toBe('0.0000000');
    expect(r.amount_fee).toBe('0.0000000');
    expect(r.completed_at).not.toBeNull();
  });

  it('approval SLA elapses with default reject → alert row, refunded', async () => {
    const { id, handle } = await newWithdrawal({
      policy: { approvalSlaDefault: 'reject', approvalSlaSeconds: 7200 },
    });
    await fillForm(handle, '1200');
    await handle.signal(paymentReceivedSignal, payment(id, '1200', (await row(id)).memo!));
    const result = await handle.result(); // time skips over the 2 h SLA
    expect(result.status).toBe('refunded');
    const a = await alerts(id);
    expect(a.map((x) => x.kind)).toEqual(['withdraw_approval_sla']);
    expect(rails.stellarPayments.get(`refund-${id}`)?.amount).toBe('1200');
    // Without a refund_memo the refund carries the memo of the user's payment (S24-14).
    expect(rails.stellarPayments.get(`refund-${id}`)?.memo).toEqual({
      type: 'id',
      value: (await row(id)).memo,
    });
  });

  it('approval SLA elapses with default wait → alert row, keeps waiting, a late approval still pays out', async () => {
    const { id, handle } = await newWithdrawal({
      policy: { approvalSlaDefault: 'wait', approvalSlaSeconds: 3600 },
    });
    await fillForm(handle, '1100');
    await handle.signal(paymentReceivedSignal, payment(id, '1100', (await row(id)).memo!));
    await expect.poll(() => approvalReasons(id), { timeout: 30_000 }).toEqual(['amount_above_threshold']);
    await env.sleep('2 hours');
    await expect
      .poll(async () => (await alerts(id)).map((x) => x.kind), { timeout: 30_000 })
      .toEqual(['withdraw_approval_sla']);
    expect(await handle.query(transactionStatusQuery)).toBe('pending_anchor');
    await handle.signal(operatorDecisionSignal, { decision: 'approve', operator: 'late-ops' });
    expect((await handle.result()).status).toBe('completed');
  });

  it('pays 5 % less than asked, policy adjust → amount, fee and amount_out recomputed (S24-22 ±10 %)', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '200');
    await handle.signal(paymentReceivedSignal, payment(id, '190', (await row(id)).memo!));
    expect((await handle.result()).status).toBe('completed');
    const r = await row(id);
    expect(r.amount_in).toBe('190.0000000');
    expect(r.amount_fee).toBe('2.9000000');
    expect(r.amount_out).toBe('187.1000000');
    expect(rails.payouts.get(`payout-${id}`)?.amount).toBe('187.1');
  });

  it('pays 50 % more than asked → pays out what was asked and refunds the excess (partial refunds, S24-33)', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '100');
    await handle.signal(paymentReceivedSignal, payment(id, '150', (await row(id)).memo!));
    expect((await handle.result()).status).toBe('completed');
    const r = await row(id);
    expect(r.amount_in).toBe('150.0000000');
    expect(r.amount_fee).toBe('2.0000000');
    expect(r.amount_out).toBe('98.0000000');
    expect(r.refunds).toEqual({
      amount_refunded: '50',
      amount_fee: '0',
      payments: [{ id: `hash-refund-${id}`, id_type: 'stellar', amount: '50', fee: '0' }],
    });
    // S24-32: amount_out (98) = amount_in (150) − amount_fee (2) − refunded (50) − refund fees (0)
    expect(rails.payouts.get(`payout-${id}`)?.amount).toBe('98');
  });

  it('pays another amount with policy refund → full refund, no payout', async () => {
    const { id, handle } = await newWithdrawal({ policy: { amountMismatch: 'refund' } });
    await fillForm(handle, '100');
    await handle.signal(paymentReceivedSignal, payment(id, '99', (await row(id)).memo!));
    expect((await handle.result()).status).toBe('refunded');
    expect(rails.payouts.has(`payout-${id}`)).toBe(false);
    expect((await row(id)).refunds).toMatchObject({ amount_refunded: '99' });
  });

  it('pays in another asset → refunded in that asset', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '100');
    await handle.signal(
      paymentReceivedSignal,
      payment(id, '100', (await row(id)).memo!, { assetCode: 'native', assetIssuer: null }),
    );
    expect((await handle.result()).status).toBe('refunded');
    expect(rails.stellarPayments.get(`refund-${id}`)?.asset).toEqual({ code: 'native', issuer: null });
  });

  it('bank rejects the payout → refunded with a correct refunds object', async () => {
    rails.payoutBehaviour = { kind: 'reject' };
    try {
      const { id, handle } = await newWithdrawal();
      await fillForm(handle, '300');
      await handle.signal(paymentReceivedSignal, payment(id, '300', (await row(id)).memo!));
      expect((await handle.result()).status).toBe('refunded');
      const r = await row(id);
      expect(r.refunds).toEqual({
        amount_refunded: '300',
        amount_fee: '0',
        payments: [{ id: `hash-refund-${id}`, id_type: 'stellar', amount: '300', fee: '0' }],
      });
      expect(r.amount_out).toBe('0.0000000');
    } finally {
      rails.payoutBehaviour = { kind: 'complete' };
    }
  });

  it('payout pending at the bank → pending_external, polled with a durable timer, then completed', async () => {
    rails.payoutBehaviour = { kind: 'pending', polls: 3 };
    try {
      const { id, handle } = await newWithdrawal();
      await fillForm(handle, '40');
      await handle.signal(paymentReceivedSignal, payment(id, '40', (await row(id)).memo!));
      expect((await handle.result()).status).toBe('completed');
      expect(rails.payouts.get(`payout-${id}`)?.polls).toBe(3);
    } finally {
      rails.payoutBehaviour = { kind: 'complete' };
    }
  });

  it('payout accepted then returned by the bank → refunded after the payout had been pending', async () => {
    rails.payoutBehaviour = { kind: 'reject-later' };
    try {
      const { id, handle } = await newWithdrawal();
      await fillForm(handle, '60');
      await handle.signal(paymentReceivedSignal, payment(id, '60', (await row(id)).memo!));
      expect((await handle.result()).status).toBe('refunded');
      expect((await row(id)).refunds).toMatchObject({ amount_refunded: '60' });
    } finally {
      rails.payoutBehaviour = { kind: 'complete' };
    }
  });

  it('per-account daily limit enforced in the workflow even when the form is bypassed', async () => {
    const limited = testConfig({ WITHDRAW_DAILY_LIMIT: '150' });
    const acts = createWithdrawalActivities({ config: limited, db: tdb.db, rails });
    // Earlier withdrawals of USER in this file already count: far more than 150 today.
    const check = await acts.checkWithdrawalLimits({
      transactionId: 'x',
      account: USER,
      assetCode: config.stellar.assetCode,
      amount: '10',
    });
    expect(check).toMatchObject({ ok: false, limit: 'daily', remaining: '0' });
    const other = await acts.checkWithdrawalLimits({
      transactionId: 'x',
      account: `${USER.slice(0, -1)}B`,
      assetCode: config.stellar.assetCode,
      amount: '150',
    });
    expect(other).toEqual({ ok: true, remaining: '150' });

    // The same rule inside a running workflow: a worker whose config has the limit ends the run in `error`
    // before any memo is handed out, whatever the form said.
    const limitedQueue = `${taskQueue}-limited`;
    const limitedWorker = await createBundleWorker(env, limitedQueue, {
      ...createRecordActivities({ config: limited, db: tdb.db }),
      ...createNotifyActivities({ config: limited }),
      ...createKycActivities({ config: limited, db: tdb.db }),
      ...createWithdrawalActivities({ config: limited, db: tdb.db, rails }),
    });
    const id = randomUUID();
    await tdb.db
      .insertInto('transactions')
      .values({
        id,
        kind: 'withdrawal',
        status: 'incomplete',
        sub: USER,
        sub_account: USER,
        asset_code: config.stellar.assetCode,
        asset_issuer: config.stellar.issuerAccount,
        stellar_account: USER,
      })
      .execute();
    const result = await limitedWorker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof withdrawalWorkflow>('withdrawalWorkflow', {
        taskQueue: limitedQueue,
        workflowId: `withdraw-${id}`,
        args: [
          {
            transactionId: id,
            account: USER,
            sourceAccount: USER,
            assetCode: config.stellar.assetCode,
            assetIssuer: config.stellar.issuerAccount,
            policy: policy(),
          },
        ],
      });
      recorder.track(handle);
      await handle.signal(interactiveCompletedSignal, { amount: '10', lang: 'en' });
      return handle.result();
    });
    expect(result.status).toBe('error');
    expect(await row(id)).toMatchObject({ status: 'error', memo: null });
    expect((await row(id)).message).toMatch(/daily withdrawal limit allows at most 0 more/);
  });

  it('amount below the minimum → too_small without asking for a payment', async () => {
    const { id, handle } = await newWithdrawal();
    await handle.signal(interactiveCompletedSignal, { amount: '1', lang: 'en' });
    expect((await handle.result()).status).toBe('too_small');
    expect((await row(id)).memo).toBeNull();
  });

  it('KYC not done for the tier → pending_anchor until the KYC webhook signals ACCEPTED, then asks for the payment', async () => {
    const { id, handle } = await newWithdrawal({ accountMemo: '501' });
    await handle.signal(interactiveCompletedSignal, {
      amount: '20',
      destinationMasked: '****1332',
      lang: 'en',
    });
    await waitForStatus(handle, 'pending_anchor');
    const waiting = await row(id);
    expect(waiting.kyc_verified).toBe(false);
    expect(waiting.memo).toBeNull(); // not ready to receive yet (S24-21)
    await handle.signal(kycStatusSignal, {
      customerId: 'c1',
      account: USER,
      memo: '501',
      status: 'ACCEPTED',
      tier: 1,
    });
    await waitForStatus(handle, 'pending_user_transfer_start');
    const ready = await row(id);
    expect(ready.kyc_verified).toBe(true);
    expect(ready.memo).toMatch(/^\d+$/);
    await handle.terminate('done');
  });

  it('KYC rejected → error, no memo, nothing to pay', async () => {
    const { id, handle } = await newWithdrawal({ accountMemo: '502' });
    await handle.signal(interactiveCompletedSignal, { amount: '20', lang: 'en' });
    await waitForStatus(handle, 'pending_anchor');
    await handle.signal(kycStatusSignal, {
      customerId: 'c2',
      account: USER,
      memo: '502',
      status: 'REJECTED',
      tier: 1,
    });
    expect((await handle.result()).status).toBe('error');
    expect(await row(id)).toMatchObject({ status: 'error', kyc_verified: false, memo: null });
  });

  it('operator refund (admin API) while under review → refunded, no payout', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '1300');
    await handle.signal(paymentReceivedSignal, payment(id, '1300', (await row(id)).memo!));
    await expect.poll(() => approvalReasons(id), { timeout: 30_000 }).toEqual(['amount_above_threshold']);
    await handle.signal(operatorRefundSignal, { operator: 'ops@anchor', reason: 'customer asked' });
    expect((await handle.result()).status).toBe('refunded');
    expect(rails.payouts.has(`payout-${id}`)).toBe(false);
    expect((await row(id)).refunds).toMatchObject({ amount_refunded: '1300' });
  });

  it('replay: histories of finished runs (payout, approval, refund) replay deterministically on the current code', async () => {
    const ids: string[] = [];
    const a = await newWithdrawal();
    await fillForm(a.handle, '100');
    await a.handle.signal(paymentReceivedSignal, payment(a.id, '150', (await row(a.id)).memo!));
    await a.handle.result();
    ids.push(a.handle.workflowId);
    const b = await newWithdrawal({ policy: { approvalSlaDefault: 'reject' } });
    await fillForm(b.handle, '1500');
    await b.handle.signal(paymentReceivedSignal, payment(b.id, '1500', (await row(b.id)).memo!));
    await b.handle.result();
    ids.push(b.handle.workflowId);
    for (const workflowId of ids) {
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') } },
        history,
        workflowId,
      );
    }
  });

  it('a rule flags a small payment sent from another account → held for approval (unexpected_sender)', async () => {
    const { id, handle } = await newWithdrawal();
    await fillForm(handle, '30');
    const stranger = 'GSTRANGERAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    await handle.signal(paymentReceivedSignal, payment(id, '30', (await row(id)).memo!, { from: stranger }));
    await expect.poll(() => approvalReasons(id), { timeout: 30_000 }).toEqual(['unexpected_sender']);
    await handle.signal(operatorDecisionSignal, { decision: 'reject', operator: 'ops@anchor' });
    expect((await handle.result()).status).toBe('refunded');
    expect(rails.stellarPayments.get(`refund-${id}`)?.destination).toBe(stranger);
  });

  it('an approval sent as soon as the payment lands (before the review starts) is kept for the review', async () => {
    const { id, handle } = await newWithdrawal({ policy: { approvalSlaDefault: 'reject' } });
    await fillForm(handle, '1250');
    await handle.signal(paymentReceivedSignal, payment(id, '1250', (await row(id)).memo!));
    await handle.signal(operatorDecisionSignal, { decision: 'approve', operator: 'quick-ops' });
    // With the SLA default `reject`, a dropped decision would show up as `refunded` once time skips.
    expect((await handle.result()).status).toBe('completed');
    expect(rails.payouts.has(`payout-${id}`)).toBe(true);
  });
});

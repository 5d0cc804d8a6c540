import { randomUUID } from 'node:crypto';
import { Asset, Keypair, Memo, Operation, TransactionBuilder, type xdr } from '@stellar/stellar-sdk';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StellarActivityHooks } from '../../activities/stellar.js';
import type { AppConfig } from '../../config/index.js';
import { duplicatePaymentRefundRef, duplicatePaymentWorkflowId } from '../../core/ids.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { observerWorkflowId, startObservers } from '../../worker/observers.js';
import type { ReceivedPayment } from '../../workflows/messages.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { transactionRow } from '../helpers/transactions.js';
import { paymentSignalsQuery } from './probes/messages.js';

/**
 * Issue 15 item 5: a second Stellar payment for a withdrawal that already has its payment (finished, or the
 * first one matched a moment before) is not handed to the withdrawal: the observer records it as
 * 'duplicate_payment' and its duplicatePaymentWorkflow alerts the operator and sends it back, exactly once
 * (reference `refund-payment-<operation id>`), even when the refund attempt dies after submitting.
 */
describe('second payment for a withdrawal: refunded once and alerted (issue 15 item 5, S24-14)', () => {
  let hz: SandboxHorizonHandle;
  let tdb: TestDb;
  let config: AppConfig;
  let temporal: TestTemporal;
  let usdc: Asset;
  let distribution: string;
  const taskQueue = `dup-${randomUUID()}`;
  const sender = Keypair.random();
  const hooks: StellarActivityHooks = {};

  const submit = async (ops: xdr.Operation[], memo: Memo) => {
    const acc = await hz.server.loadAccount(sender.publicKey());
    const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: hz.passphrase, memo }).setTimeout(
      60,
    );
    for (const op of ops) tx.addOperation(op);
    const built = tx.build();
    built.sign(sender);
    return hz.server.submitTransaction(built, { skipMemoRequiredCheck: true });
  };
  const pay = (amount: string) => Operation.payment({ destination: distribution, asset: usdc, amount });
  const withdrawal = (
    id: string,
    memo: string,
    status: 'completed' | 'pending_user_transfer_start' | 'expired',
  ) =>
    tdb.db
      .insertInto('transactions')
      .values(
        transactionRow({
          id,
          kind: 'withdrawal',
          status,
          sub: sender.publicKey(),
          sub_account: sender.publicKey(),
          asset_code: config.stellar.assetCode,
          asset_issuer: config.stellar.issuerAccount,
          stellar_account: sender.publicKey(),
          withdraw_anchor_account: distribution,
          memo,
          memo_type: 'id',
          amount_in: '10',
          amount_expected: '10',
          ...(status === 'completed' ? { stellar_transaction_id: 'f'.repeat(64) } : {}),
        }),
      )
      .execute();
  const refundsToSender = async () => {
    const page = await hz.server.payments().forAccount(sender.publicKey()).limit(200).call();
    return page.records.filter(
      (p) => p.type === 'payment' && 'from' in p && p.from === distribution && p.to === sender.publicKey(),
    ) as { amount: string; transaction_hash: string }[];
  };
  const receivedFor = (transactionId: string) =>
    tdb.db
      .selectFrom('received_payments')
      .selectAll()
      .where('transaction_id', '=', transactionId)
      .orderBy('paging_token')
      .execute();
  const waitFor = async <T>(check: () => Promise<T | undefined | false>, what: string, ms = 60_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    hz = await startSandboxHorizon({ ledgerCloseMs: 200 });
    tdb = await createTestDb('dup');
    config = testConfig({
      HORIZON_URL: hz.url,
      TEMPORAL_TASK_QUEUE: taskQueue,
      OBSERVER_POLL_INTERVAL_MS: '100',
      STELLAR_TX_TIMEOUT_SECONDS: '5',
    });
    distribution = config.stellar.distributionAccount;
    usdc = new Asset(config.stellar.assetCode, config.stellar.issuerAccount);
    await setupSandboxAccounts(config, { horizon: hz.server });
    await hz.friendbot(sender.publicKey());
    const acc = await hz.server.loadAccount(sender.publicKey());
    const trust = new TransactionBuilder(acc, { fee: '100', networkPassphrase: hz.passphrase })
      .addOperation(Operation.changeTrust({ asset: usdc }))
      .setTimeout(60)
      .build();
    trust.sign(sender);
    await hz.server.submitTransaction(trust);
    const issuer = Keypair.fromSecret(config.stellar.issuerSecret!);
    const iacc = await hz.server.loadAccount(issuer.publicKey());
    const fund = new TransactionBuilder(iacc, { fee: '100', networkPassphrase: hz.passphrase })
      .addOperation(Operation.payment({ destination: sender.publicKey(), asset: usdc, amount: '100' }))
      .setTimeout(60)
      .build();
    fund.sign(issuer);
    await hz.server.submitTransaction(fund);
    temporal = await startTestWorker(
      { config, db: tdb.db, horizon: hz.server, stellarHooks: hooks },
      { taskQueue },
    );
    await startObservers(temporal.client, config, { taskQueue, maxWaitMs: 2000 });
  }, 120_000);

  afterAll(async () => {
    await temporal?.client.workflow
      .getHandle(observerWorkflowId(distribution))
      .terminate()
      .catch(() => {});
    await temporal?.stop();
    await tdb?.destroy();
    await hz?.stop();
  });

  it('a payment for a completed withdrawal is refunded once, even when the refund dies after submitting, and alerted', async () => {
    await withdrawal('w-done', '7100001', 'completed');
    let crashes = 0;
    hooks.afterSubmit = (ref) => {
      if (ref.startsWith('refund-payment-') && ++crashes === 1) throw new Error('worker lost after submit');
    };
    await submit([pay('7.25')], Memo.id('7100001'));

    const [row] = await waitFor(async () => {
      const rows = await receivedFor('w-done');
      return rows[0]?.duplicate_state === 'refunded' ? rows : undefined;
    }, 'the duplicate to be refunded');
    hooks.afterSubmit = undefined;
    expect(crashes).toBe(1);
    expect(row).toMatchObject({ status: 'unmatched', unmatched_reason: 'duplicate_payment' });
    const refunds = await refundsToSender();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.amount).toBe('7.2500000');
    expect(refunds[0]!.transaction_hash).toBe(row!.refund_hash);
    const envelopes = await tdb.db
      .selectFrom('stellar_payments')
      .selectAll()
      .where('ref', '=', duplicatePaymentRefundRef(row!.operation_id))
      .execute();
    expect(envelopes).toHaveLength(1);
    expect(envelopes[0]).toMatchObject({ memo: '7100001', memo_type: 'id' });
    const alerts = await tdb.db
      .selectFrom('alerts')
      .selectAll()
      .where('transaction_id', '=', 'w-done')
      .execute();
    expect(alerts.map((a) => a.kind)).toEqual(['withdraw_extra_payment']);
    expect(alerts[0]!.message).toMatch(/refunded/);

    // The observer starting the same payment's workflow again (a batch retried after a crash) changes nothing.
    const again = await temporal.client.workflow
      .start('duplicatePaymentWorkflow', {
        taskQueue,
        workflowId: duplicatePaymentWorkflowId(row!.operation_id),
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE, // as the observer starts it
        args: [{}],
      })
      .catch((e: Error) => e);
    expect(again).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    expect(await refundsToSender()).toHaveLength(1);
  }, 90_000);

  it('two payments for a waiting withdrawal: the first goes to its workflow, the second is sent back', async () => {
    await withdrawal('w-wait', '7100002', 'pending_user_transfer_start');
    const probe = await temporal.client.workflow.start('paymentSignalProbeWorkflow', {
      taskQueue,
      workflowId: 'withdraw-w-wait',
    });
    const before = (await refundsToSender()).length;
    await submit([pay('10'), pay('3')], Memo.id('7100002'));

    const rows = await waitFor(async () => {
      const r = await receivedFor('w-wait');
      return r.length === 2 && r[1]!.duplicate_state === 'refunded' ? r : undefined;
    }, 'the second payment to be refunded');
    expect(rows.map((r) => [r.status, r.amount])).toEqual([
      ['signalled', '10.0000000'],
      ['unmatched', '3.0000000'],
    ]);
    const got: ReceivedPayment[] = await probe.query(paymentSignalsQuery);
    expect(got.map((p) => p.operationId)).toEqual([rows[0]!.operation_id]);
    const refunds = await refundsToSender();
    expect(refunds).toHaveLength(before + 1);
    expect(refunds.at(-1)!.amount).toBe('3.0000000');
    await probe.terminate();
  }, 90_000);

  it('a payment for a withdrawal that expired unpaid is late: sent back once and alerted, never left unnoticed', async () => {
    await withdrawal('w-late', '7100004', 'expired');
    const before = (await refundsToSender()).length;
    await submit([pay('4.5')], Memo.id('7100004'));
    const [row] = await waitFor(async () => {
      const rows = await receivedFor('w-late');
      return rows[0]?.duplicate_state === 'refunded' ? rows : undefined;
    }, 'the late payment to be refunded');
    expect(row).toMatchObject({ status: 'unmatched', unmatched_reason: 'late_payment' });
    const refunds = await refundsToSender();
    expect(refunds).toHaveLength(before + 1);
    expect(refunds.at(-1)!.amount).toBe('4.5000000');
    expect(refunds.at(-1)!.transaction_hash).toBe(row!.refund_hash);
    const alerts = await tdb.db
      .selectFrom('alerts')
      .selectAll()
      .where('transaction_id', '=', 'w-late')
      .execute();
    expect(alerts.map((a) => a.kind)).toEqual(['withdraw_extra_payment']);
    expect(alerts[0]!.message).toMatch(/after it had ended without one.*refunded/);
    // The withdrawal itself stays as it ended.
    const tx = await tdb.db
      .selectFrom('transactions')
      .select('status')
      .where('id', '=', 'w-late')
      .executeTakeFirst();
    expect(tx?.status).toBe('expired');
  }, 90_000);

  it('with refunds off it only alerts and records that it did', async () => {
    await withdrawal('w-off', '7100003', 'completed');
    const handle = await temporal.client.workflow.start('duplicatePaymentWorkflow', {
      taskQueue,
      workflowId: duplicatePaymentWorkflowId('op-off'),
      args: [
        {
          transactionId: 'w-off',
          operationId: 'op-off',
          from: sender.publicKey(),
          asset: { code: config.stellar.assetCode, issuer: config.stellar.issuerAccount },
          amount: '1.0000000',
          memo: null,
          refund: false,
        },
      ],
    });
    expect(await handle.result()).toEqual({ refunded: false });
    const alert = await tdb.db
      .selectFrom('alerts')
      .selectAll()
      .where('transaction_id', '=', 'w-off')
      .executeTakeFirstOrThrow();
    expect(alert.message).toMatch(/automatic refunds are off/);
    expect(
      await tdb.db
        .selectFrom('stellar_payments')
        .select('ref')
        .where('ref', '=', duplicatePaymentRefundRef('op-off'))
        .execute(),
    ).toEqual([]);
  });
});

import { randomUUID } from 'node:crypto';
import {
  Account,
  Asset,
  Keypair,
  Memo,
  Operation,
  type Transaction,
  TransactionBuilder,
  type xdr,
} from '@stellar/stellar-sdk';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signalRequestId } from '../../activities/observer.js';
import { createStellarActivities } from '../../activities/stellar.js';
import type { AppConfig } from '../../config/index.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { anchorAsset } from '../../stellar/assets.js';
import { muxedAddress } from '../../stellar/muxed.js';
import { observerWorkflowId, startObservers } from '../../worker/observers.js';
import type { ReceivedPayment } from '../../workflows/messages.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { historyRecorder } from './history-recorder.js';
import { paymentSignalsQuery } from './probes/messages.js';

/**
 * The payment observer never skips and never repeats: 1,000 payments (matched by text/id/hash memo, by muxed
 * address, fee-bumped, path payments, wrong memos, wrong amounts, no memo at all) stream in while the observer
 * is terminated and restarted, and its worker is stopped and replaced. Every payment is recorded once, every
 * matching one signalled once to its `withdraw-<id>` workflow, and the cursor ends on the last record.
 */
describe('payment observer: 1,000 payments across restarts (issue 4, S24-22)', () => {
  let hz: SandboxHorizonHandle;
  let tdb: TestDb;
  let config: AppConfig;
  let temporal: TestTemporal;
  const taskQueue = `observer-${randomUUID()}`;
  const recorder = historyRecorder('observer');
  const senders = Array.from({ length: 10 }, () => Keypair.random());
  const feePayer = Keypair.random();
  let distribution: string;
  let usdc: Asset;

  const MEMO_WITHDRAWALS = 100;
  const MUXED_WITHDRAWALS = 100;
  const WRONG_MEMOS = 50;
  const BULK = 750; // no memo, or a muxed id nobody owns

  beforeAll(async () => {
    hz = await startSandboxHorizon({ ledgerCloseMs: 250, maxOpsPerLedger: 1000 });
    tdb = await createTestDb('obs');
    config = testConfig({
      HORIZON_URL: hz.url,
      OBSERVER_POLL_INTERVAL_MS: '100',
      OBSERVER_PAGE_SIZE: '50',
      OBSERVER_BATCHES_PER_RUN: '4', // continue-as-new several times during the test
    });
    distribution = config.stellar.distributionAccount;
    usdc = new Asset(config.stellar.assetCode, config.stellar.issuerAccount);
    await setupSandboxAccounts(config, { horizon: hz.server });
    await Promise.all([...senders, feePayer].map((k) => hz.friendbot(k.publicKey())));
    await Promise.all(
      senders.map(async (k) => {
        const acc = await hz.server.loadAccount(k.publicKey());
        const tx = new TransactionBuilder(acc, { fee: '100', networkPassphrase: hz.passphrase })
          .addOperation(Operation.changeTrust({ asset: usdc }))
          .setTimeout(60)
          .build();
        tx.sign(k);
        await hz.server.submitTransaction(tx);
      }),
    );
    // Fund the senders in one batch from the distribution account (an outgoing payment the observer skips).
    const acts = createStellarActivities({ config, db: tdb.db, horizon: hz.server });
    await acts.sendPaymentBatch({
      batchRef: 'fund-senders',
      payments: senders.map((k, i) => ({
        ref: `fund-${i}`,
        destination: k.publicKey(),
        asset: anchorAsset(config),
        amount: '5000',
      })),
    });
    temporal = await startTestWorker({ config, db: tdb.db, horizon: hz.server }, { taskQueue });
  }, 120_000);

  afterAll(async () => {
    await temporal?.stop();
    await tdb?.destroy();
    await hz?.stop();
  });

  it('records every payment once, signals every match once, and leaves no gap in the cursor', async () => {
    // --- pending withdrawals and their workflows (stand-ins that count signals) ---------------------------
    const memoOf = (i: number): { type: 'text' | 'id' | 'hash'; value: string } =>
      i % 3 === 0
        ? { type: 'text', value: `WD-${i}` }
        : i % 3 === 1
          ? { type: 'id', value: String(900_000 + i) }
          : { type: 'hash', value: Buffer.alloc(32, i).toString('base64') };
    const muxedOf = (i: number) => muxedAddress(distribution, String(5_000_000 + i));
    const rows = [
      ...Array.from({ length: MEMO_WITHDRAWALS }, (_, i) => ({
        id: `wm-${i}`,
        withdraw_anchor_account: distribution,
        memo: memoOf(i).value,
        memo_type: memoOf(i).type,
      })),
      ...Array.from({ length: MUXED_WITHDRAWALS }, (_, i) => ({
        id: `wx-${i}`,
        withdraw_anchor_account: muxedOf(i),
        memo: null,
        memo_type: null,
      })),
    ];
    await tdb.db
      .insertInto('transactions')
      .values(
        rows.map((r) => ({
          ...r,
          kind: 'withdrawal' as const,
          status: 'pending_user_transfer_start' as const,
          sub: senders[0]!.publicKey(),
          sub_account: senders[0]!.publicKey(),
          sub_memo: null,
          client_domain: null,
          asset_code: config.stellar.assetCode,
          asset_issuer: config.stellar.issuerAccount,
          stellar_account: senders[0]!.publicKey(),
          amount_in: '10',
          amount_expected: '10',
        })),
      )
      .execute();
    // A pending withdrawal whose workflow is gone: its payment is recorded as unmatched, never retried forever.
    await tdb.db
      .insertInto('transactions')
      .values({
        id: 'orphan',
        kind: 'withdrawal',
        status: 'pending_user_transfer_start',
        sub: senders[0]!.publicKey(),
        sub_account: senders[0]!.publicKey(),
        sub_memo: null,
        client_domain: null,
        asset_code: config.stellar.assetCode,
        asset_issuer: config.stellar.issuerAccount,
        stellar_account: senders[0]!.publicKey(),
        withdraw_anchor_account: distribution,
        memo: 'ORPHAN',
        memo_type: 'text',
      })
      .execute();
    const probes = new Map<string, WorkflowHandle>(); // id → handle on the first client
    for (let i = 0; i < rows.length; i += 25) {
      await Promise.all(
        rows.slice(i, i + 25).map(async (r) => {
          const handle = await temporal.client.workflow.start('paymentSignalProbeWorkflow', {
            taskQueue,
            workflowId: `withdraw-${r.id}`,
          });
          probes.set(r.id, handle);
        }),
      );
    }

    // --- the stream: 1,000 payments, submitted in parallel per sender ---------------------------------------
    const accounts = new Map<string, Account>();
    for (const k of senders) {
      const acc = await hz.server.loadAccount(k.publicKey());
      accounts.set(k.publicKey(), new Account(k.publicKey(), acc.sequenceNumber()));
    }
    const queues: (() => Transaction | ReturnType<typeof TransactionBuilder.buildFeeBumpTransaction>)[][] =
      senders.map(() => []);
    const build = (s: number, ops: xdr.Operation[], memo?: Memo, feeBump = false) => {
      queues[s]!.push(() => {
        const kp = senders[s]!;
        const b = new TransactionBuilder(accounts.get(kp.publicKey())!, {
          fee: '100',
          networkPassphrase: hz.passphrase,
          ...(memo ? { memo } : {}),
        });
        for (const op of ops) b.addOperation(op);
        const tx = b.setTimeout(120).build();
        tx.sign(kp);
        if (!feeBump) return tx;
        const bump = TransactionBuilder.buildFeeBumpTransaction(feePayer, '200', tx, hz.passphrase);
        bump.sign(feePayer);
        return bump;
      });
    };
    const pay = (destination: string, amount = '10') =>
      Operation.payment({ destination, asset: usdc, amount });
    const sdkMemo = (m: { type: string; value: string }) =>
      m.type === 'text'
        ? Memo.text(m.value)
        : m.type === 'id'
          ? Memo.id(m.value)
          : Memo.hash(Buffer.from(m.value, 'base64').toString('hex'));
    const expected = new Map<string, { amount: string; mismatch: 'amount' | null }>();
    for (let i = 0; i < MEMO_WITHDRAWALS; i++) {
      const wrongAmount = i % 10 === 3;
      const amount = wrongAmount ? '9.5' : '10';
      const op =
        i % 10 === 7
          ? Operation.pathPaymentStrictSend({
              sendAsset: Asset.native(),
              sendAmount: amount,
              destination: distribution,
              destAsset: usdc,
              destMin: '0.0000001',
              path: [],
            })
          : pay(distribution, amount);
      build(i % senders.length, [op], sdkMemo(memoOf(i)), i % 5 === 0);
      expected.set(`wm-${i}`, { amount, mismatch: wrongAmount ? 'amount' : null });
    }
    build(9, [pay(distribution)], Memo.text('ORPHAN'));
    for (let i = 0; i < WRONG_MEMOS; i++) {
      build(i % senders.length, [pay(distribution)], Memo.text(`nobody-${i}`), i % 4 === 0);
    }
    for (let chunk = 0; chunk < MUXED_WITHDRAWALS; chunk += 50) {
      const ops = Array.from({ length: 50 }, (_, j) => pay(muxedOf(chunk + j)));
      build(chunk / 50, ops, undefined, chunk === 0);
      for (let j = 0; j < 50; j++) expected.set(`wx-${chunk + j}`, { amount: '10', mismatch: null });
    }
    for (let sent = 0, n = 0; sent < BULK; n++) {
      const size = Math.min(100, BULK - sent);
      const ops = Array.from({ length: size }, (_, j) =>
        (sent + j) % 2 === 0
          ? pay(distribution, '1')
          : pay(muxedAddress(distribution, String(7_000_000 + sent + j)), '1'),
      );
      build(2 + (n % (senders.length - 2)), ops);
      sent += size;
    }

    const countRecorded = async () =>
      Number(
        (await sql<{ n: string }>`select count(*)::text as n from received_payments`.execute(tdb.db)).rows[0]!
          .n,
      );
    const waitFor = async (pred: () => Promise<boolean>, what: string, ms = 150_000) => {
      const deadline = Date.now() + ms;
      while (!(await pred())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    await startObservers(temporal.client, config, { taskQueue, maxWaitMs: 2000 });
    const streaming = Promise.all(
      queues.map(async (q) => {
        for (const next of q) {
          const tx = next();
          await hz.server.submitTransaction(tx, { skipMemoRequiredCheck: true });
        }
      }),
    );

    // Restart 1: terminate the observer workflow mid-stream and start it again.
    await waitFor(async () => (await countRecorded()) >= 150, '150 recorded payments');
    await temporal.client.workflow.getHandle(observerWorkflowId(distribution)).terminate('test restart 1');
    await startObservers(temporal.client, config, { taskQueue, maxWaitMs: 2000 });

    // Restart 2: stop the worker (the observer's activity dies with it) and bring up a new one.
    await waitFor(async () => (await countRecorded()) >= 450, '450 recorded payments');
    await temporal.stop();
    temporal = await startTestWorker({ config, db: tdb.db, horizon: hz.server }, { taskQueue });
    await startObservers(temporal.client, config, { taskQueue, maxWaitMs: 2000 }); // idempotent: keeps the running one

    await streaming;
    const incoming = await allIncoming();
    expect(incoming.length).toBe(2 + MEMO_WITHDRAWALS + WRONG_MEMOS + MUXED_WITHDRAWALS + BULK); // + setup funding
    await waitFor(async () => (await countRecorded()) >= incoming.length, 'every payment recorded');

    // Every payment recorded exactly once, and nothing else.
    const recorded = await tdb.db.selectFrom('received_payments').selectAll().execute();
    expect(recorded.length).toBe(incoming.length);
    expect(new Set(recorded.map((r) => r.operation_id))).toEqual(new Set(incoming.map((r) => r.id)));

    // No gap: the cursor is the last record of the account's payment stream.
    const cursor = await tdb.db
      .selectFrom('observer_cursors')
      .select('cursor')
      .where('account', '=', distribution)
      .executeTakeFirstOrThrow();
    const last = await hz.server.payments().forAccount(distribution).order('desc').limit(1).call();
    expect(cursor.cursor).toBe(last.records[0]!.paging_token);

    // Recorded details: matching, fee bumps, path payments, muxed ids, wrong memos.
    const byTx = new Map<string, (typeof recorded)[number][]>();
    const orphan = recorded.filter((r) => r.memo === 'ORPHAN');
    expect(orphan).toMatchObject([
      { transaction_id: 'orphan', status: 'unmatched', unmatched_reason: 'workflow_not_found' },
    ]);
    for (const r of recorded)
      if (r.transaction_id && r.transaction_id !== 'orphan')
        byTx.set(r.transaction_id, [...(byTx.get(r.transaction_id) ?? []), r]);
    expect(byTx.size).toBe(expected.size);
    for (const [id, want] of expected) {
      const got = byTx.get(id);
      expect(got, id).toHaveLength(1);
      expect(got![0]!.status, id).toBe('signalled');
      expect(got![0]!.mismatch, id).toBe(want.mismatch);
    }
    expect(recorded.filter((r) => r.fee_bump).length).toBe(20 + 13 + 50);
    expect(recorded.filter((r) => r.type === 'path_payment_strict_send').length).toBe(10);
    const wrong = recorded.filter((r) => r.memo?.startsWith('nobody-'));
    expect(wrong).toHaveLength(WRONG_MEMOS);
    expect(wrong.every((r) => r.status === 'unmatched' && r.unmatched_reason === 'no_match')).toBe(true);
    expect(recorded.filter((r) => r.status === 'matched')).toEqual([]);

    // Every matching workflow got its payment exactly once (duplicates would show here).
    for (const id of probes.keys()) {
      const handle = temporal.client.workflow.getHandle(`withdraw-${id}`); // the first client is closed
      const got: ReceivedPayment[] = await handle.query(paymentSignalsQuery);
      expect(
        got.map((p) => p.operationId),
        id,
      ).toEqual([byTx.get(id)![0]!.operation_id]);
      expect(got[0]!.amount).toBe(expected.get(id)!.amount === '9.5' ? '9.5000000' : '10.0000000');
    }
    await Promise.all(
      [...probes.keys()].map((id) => temporal.client.workflow.getHandle(`withdraw-${id}`).terminate()),
    );
    await temporal.client.workflow.getHandle(observerWorkflowId(distribution)).terminate('done');
    // Replay guards determinism of the shipped observer workflow (the last run, after continue-as-new).
    const history = await temporal.client.workflow.getHandle(observerWorkflowId(distribution)).fetchHistory();
    recorder.track(temporal.client.workflow.getHandle(observerWorkflowId(distribution)));
    await recorder.save();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history);
  }, 240_000);

  /** Every incoming payment-type operation to the distribution account, from Horizon itself. */
  async function allIncoming() {
    const out: { id: string }[] = [];
    let page = await hz.server.payments().forAccount(distribution).order('asc').limit(200).call();
    while (page.records.length > 0) {
      for (const r of page.records as unknown as Record<string, string>[]) {
        if (
          ['payment', 'path_payment_strict_send', 'path_payment_strict_receive'].includes(r.type!) &&
          r.to === distribution
        ) {
          out.push({ id: r.id! });
        }
      }
      page = await page.next();
    }
    return out;
  }
});

describe('paymentReceived signal delivery', () => {
  it('a repeated signal for the same payment (same request id) reaches the workflow once', async () => {
    const tdb = await createTestDb('sig');
    const temporal = await startTestWorker({ config: testConfig(), db: tdb.db });
    try {
      const handle = await temporal.client.workflow.start('paymentSignalProbeWorkflow', {
        taskQueue: temporal.taskQueue,
        workflowId: `withdraw-dedupe-${randomUUID()}`,
      });
      const payment: ReceivedPayment = {
        operationId: '12345',
        transactionHash: 'ab'.repeat(32),
        from: Keypair.random().publicKey(),
        amount: '1.0000000',
        assetCode: 'USDC',
        assetIssuer: null,
        memo: 'x',
        memoType: 'text',
      };
      const converter = temporal.client.options.loadedDataConverter.payloadConverter;
      for (let i = 0; i < 3; i++) {
        await temporal.client.workflowService.signalWorkflowExecution({
          namespace: 'default',
          workflowExecution: { workflowId: handle.workflowId },
          signalName: 'paymentReceived',
          input: { payloads: [converter.toPayload(payment)] },
          requestId: signalRequestId(payment.operationId),
        });
      }
      const deadline = Date.now() + 20_000;
      let got: ReceivedPayment[] = [];
      while (got.length === 0 && Date.now() < deadline) got = await handle.query(paymentSignalsQuery);
      expect(got).toEqual([payment]);
      await handle.terminate();
    } finally {
      await temporal.stop();
      await tdb.destroy();
    }
  });
});

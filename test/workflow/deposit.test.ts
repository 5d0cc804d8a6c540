import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Keypair } from '@stellar/stellar-sdk';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Activities } from '../../activities/index.js';
import { createNotifyActivities } from '../../activities/notify.js';
import { createRecordActivities } from '../../activities/records.js';
import { depositRules } from '../../api/sep24/deposit.js';
import type { AppConfig } from '../../config/index.js';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import { getTransaction, insertTransaction } from '../../db/transactions.js';
import type {
  DepositPartnerActivities,
  DepositWorkflowInput,
  depositWorkflow,
} from '../../workflows/deposit.js';
import {
  bankTransferReceivedSignal,
  distributionToppedUpSignal,
  interactiveCompletedSignal,
  type KycStatus,
  kycStatusSignal,
  operatorRefundSignal,
} from '../../workflows/messages.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { incompleteDepositRow } from '../helpers/transactions.js';
import { createTimeSkippingEnv, startBundleWorker, waitForStatus } from '../helpers/workflow.js';
import { historyRecorder } from './history-recorder.js';

/**
 * DepositWorkflow on Temporal's time-skipping server with the real record/notify activities on a real Postgres
 * schema. Only the outside world is a double: KYC decisions, the Stellar ledger (payments deduplicated by ref,
 * as the real activity does) and bank refunds.
 */

interface Scenario {
  kyc: KycStatus;
  trustline: boolean;
  /** hasTrustline answers true from this call on (a user adding the trust line later). */
  trustlineAfterChecks?: number;
  trustChecks: number;
  paymentFails?: boolean;
  /** sendPayment answers StellarUnderfunded this many times first (distribution account short of funds). */
  underfundedTimes?: number;
  payments: Map<
    string,
    {
      destination: string;
      amount: string;
      memo?: { type: string; value: string } | undefined;
      claimable?: boolean;
    }
  >;
  paymentCalls: number;
  /** The destination account does not exist on the ledger yet (S24-24). */
  missing?: boolean;
  created?: { ref: string; destination: string; startingBalance: string }[];
  refunds: { amount: string; bankTransferId: string }[];
  kycWaiters: number;
}

const scenarios = new Map<string, Scenario>();
const scenario = (id: string) => {
  const s = scenarios.get(id);
  if (!s) throw new Error(`no scenario for ${id}`);
  return s;
};

describe('DepositWorkflow (time skipping, real Postgres)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let config: AppConfig;
  let worker: Awaited<ReturnType<typeof startBundleWorker>>;
  let callbackServer: Server;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const taskQueue = `deposit-${randomBytes(4).toString('hex')}`;
  /** transactionId by destination account (the fakes only see the account). */
  const byAccount = new Map<string, string>();
  const recorder = historyRecorder('deposit');

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    tdb = await createTestDb('dep');
    config = testConfig({
      SEP24_DEPOSIT_MIN_AMOUNT: '10',
      SEP24_DEPOSIT_MAX_AMOUNT: '1000',
      SEP24_DEPOSIT_FEE_FIXED: '1',
      SEP24_DEPOSIT_FEE_PERCENT: '1',
      DEPOSIT_EXPIRY_SECONDS: '3600',
      DEPOSIT_TRUST_TIMEOUT_SECONDS: '7200',
      DEPOSIT_TRUST_POLL_SECONDS: '600',
    });
    callbackServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => callbackServer.listen(0, '127.0.0.1', r));

    const tx = (account: string) => scenario(byAccount.get(account)!);
    const fakes: DepositPartnerActivities & Pick<Activities, 'registerKycWaiter' | 'unregisterKycWaiter'> = {
      async getKycStatus(input) {
        return { status: tx(input.account).kyc, customerId: null, missingFields: [] };
      },
      async registerKycWaiter(input) {
        const s = tx(input.account);
        s.kycWaiters++;
        return { status: s.kyc, customerId: null, missingFields: [] };
      },
      async unregisterKycWaiter() {},
      async hasTrustline(account) {
        const s = tx(account);
        s.trustChecks++;
        if (s.trustlineAfterChecks !== undefined && s.trustChecks >= s.trustlineAfterChecks) return true;
        return s.trustline;
      },
      async accountExists(account) {
        const s = tx(account);
        return !s.missing;
      },
      async priceConversion() {
        throw new Error('these scenarios convert nothing: 1:1 deposits only');
      },
      async createAccount(input) {
        const s = tx(input.destination);
        s.created ??= [];
        if (!s.created.some((c) => c.ref === input.ref)) s.created.push(input);
        s.missing = false;
        return { hash: `hash-${input.ref}`, ledger: 6 };
      },
      async sendPayment(input) {
        const s = tx(input.destination);
        s.paymentCalls++;
        if ((s.underfundedTimes ?? 0) > 0) {
          s.underfundedTimes = (s.underfundedTimes ?? 0) - 1;
          throw ApplicationFailure.nonRetryable('op_underfunded', 'StellarUnderfunded');
        }
        if (s.paymentFails)
          throw ApplicationFailure.nonRetryable(
            'destination account is not authorized',
            'StellarNotAuthorized',
          );
        if (!s.payments.has(input.ref)) {
          s.payments.set(input.ref, {
            destination: input.destination,
            amount: input.amount,
            memo: input.memo ?? undefined,
          });
        }
        return { hash: `hash-${input.ref}`, ledger: 7 };
      },
      async createClaimableBalance(input) {
        const s = tx(input.claimant);
        s.paymentCalls++;
        s.payments.set(input.ref, { destination: input.claimant, amount: input.amount, claimable: true });
        return { hash: `hash-${input.ref}`, ledger: 7, balanceId: `00000000${'ab'.repeat(32)}` };
      },
      async refundBankTransfer(input) {
        const id = input.ref.replace(/^refund-/, '');
        const s = scenario(id);
        if (!s.refunds.some((r) => r.bankTransferId === input.bankTransferId)) {
          s.refunds.push({ amount: input.amount, bankTransferId: input.bankTransferId });
        }
        return { refundId: `bank-refund-${input.bankTransferId}` };
      },
    };
    worker = await startBundleWorker(env, taskQueue, {
      ...createRecordActivities({ config, db: tdb.db }),
      ...createNotifyActivities({ config }),
      ...fakes,
    });
  });

  afterAll(async () => {
    await recorder.save();
    await worker?.stop();
    await env?.teardown();
    await tdb?.destroy();
    await new Promise((r) => callbackServer?.close(r));
  });

  async function startDeposit(
    opts: Partial<Scenario> & {
      onChangeCallback?: string;
      amount?: string;
      claimable?: boolean;
      lang?: string;
    } = {},
  ) {
    const id = randomUUID();
    const account = Keypair.random().publicKey();
    byAccount.set(account, id);
    scenarios.set(id, {
      kyc: 'ACCEPTED',
      trustline: true,
      trustChecks: 0,
      payments: new Map(),
      paymentCalls: 0,
      refunds: [],
      kycWaiters: 0,
      ...opts,
    });
    await insertTransaction(
      tdb.db,
      incompleteDepositRow(config, id, account, {
        amount_expected: opts.amount ?? null,
        on_change_callback: opts.onChangeCallback ?? null,
        ...(opts.lang ? { lang: opts.lang } : {}),
      }),
    );
    const input: DepositWorkflowInput = {
      transactionId: id,
      subAccount: account,
      subMemo: null,
      destination: account,
      assetCode: config.stellar.assetCode,
      assetIssuer: config.stellar.issuerAccount,
      memo: { type: 'id', value: '42' },
      amount: opts.amount ?? null,
      claimableBalanceSupported: opts.claimable ?? false,
      rules: { ...depositRules(config), claimableBalances: opts.claimable ?? false },
    };
    const handle = await env.client.workflow.start<typeof depositWorkflow>('depositWorkflow', {
      workflowId: `deposit-${id}`,
      taskQueue,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
    });
    recorder.track(handle);
    return { id, account, handle, s: scenario(id) };
  }

  const transfer = (id: string, amount: string, n = 1) => ({
    bankTransferId: `bt-${id}-${n}`,
    reference: 'ref',
    amount,
    currency: 'USD',
    from: 'ES91****1332',
    receivedAt: new Date().toISOString(),
  });

  it('happy path: incomplete → pending_user_transfer_start → pending_anchor → pending_stellar → completed, amounts per S24-32', async () => {
    const { id, account, handle, s } = await startDeposit({ amount: '100' });
    await waitForStatus(handle, 'incomplete');
    await handle.signal(interactiveCompletedSignal, { amount: '100' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    const waiting = await getTransaction(tdb.db, id);
    expect(waiting?.status).toBe('pending_user_transfer_start');
    expect(waiting?.bank_reference).toMatch(/^DEP[0-9A-F]{10}$/);
    expect(waiting?.amount_in).toBe('100.0000000');
    expect(waiting?.amount_fee).toBe('2.0000000'); // 1 fixed + 1 % of 100
    expect(waiting?.amount_out).toBe('98.0000000');
    expect(waiting?.user_action_required_by).toBeInstanceOf(Date);

    await handle.signal(bankTransferReceivedSignal, transfer(id, '100'));
    const result = await handle.result();
    expect(result).toEqual({ status: 'completed', stellarTransactionId: `hash-deposit-${id}` });
    expect([...s.payments.values()]).toEqual([
      { destination: account, amount: '98', memo: { type: 'id', value: '42' } },
    ]);
    const done = await getTransaction(tdb.db, id);
    expect(done?.status).toBe('completed');
    expect(done?.stellar_transaction_id).toBe(`hash-deposit-${id}`);
    expect(done?.external_transaction_id).toBe(`bt-${id}-1`);
    expect(done?.from_address).toBe('ES91****1332');
    expect(done?.completed_at).toBeInstanceOf(Date);
    expect(done?.kyc_verified).toBe(true);
    expect(done?.bank_reference).toBeNull(); // released for reuse
  });

  it('replay: a finished deposit history (trust line wait, payment) replays on the current code without nondeterminism', async () => {
    const { id, handle } = await startDeposit({ trustline: false, trustlineAfterChecks: 2 });
    await handle.signal(interactiveCompletedSignal, { amount: '100' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '100'));
    expect((await handle.result()).status).toBe('completed');
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      history,
      handle.workflowId,
    );
  });

  it('KYC needed then approved: pending_anchor (kyc_verified false) until the kycStatus signal says ACCEPTED', async () => {
    const { id, account, handle, s } = await startDeposit({ kyc: 'PROCESSING' });
    await handle.signal(interactiveCompletedSignal, { amount: '50' });
    await waitForStatus(handle, 'pending_anchor');
    expect(s.kycWaiters).toBe(1);
    expect((await getTransaction(tdb.db, id))?.kyc_verified).toBe(false);
    await handle.signal(kycStatusSignal, {
      customerId: 'c1',
      account,
      memo: null,
      status: 'ACCEPTED',
      tier: 1,
    });
    await waitForStatus(handle, 'pending_user_transfer_start');
    expect((await getTransaction(tdb.db, id))?.kyc_verified).toBe(true);
    await handle.signal(bankTransferReceivedSignal, transfer(id, '50'));
    expect((await handle.result()).status).toBe('completed');
  });

  it('KYC rejected: ends in error with a message, nothing is paid', async () => {
    const { id, account, handle, s } = await startDeposit({ kyc: 'NEEDS_INFO' });
    await handle.signal(interactiveCompletedSignal, { amount: '50' });
    await waitForStatus(handle, 'pending_anchor');
    await handle.signal(kycStatusSignal, {
      customerId: 'c',
      account,
      memo: null,
      status: 'REJECTED',
      tier: 1,
    });
    expect((await handle.result()).status).toBe('error');
    const row = await getTransaction(tdb.db, id);
    expect(row?.status).toBe('error');
    expect(row?.kyc_verified).toBe(false);
    expect(row?.message).toMatch(/identity verification/i);
    expect(s.paymentCalls).toBe(0);
  });

  it('KYC never decided: expires after DEPOSIT_EXPIRY_SECONDS with the catalog message in the transaction language (en, es; X-11)', async () => {
    const en = await startDeposit({ kyc: 'PROCESSING', lang: 'en' });
    const es = await startDeposit({ kyc: 'PROCESSING', lang: 'es' });
    for (const { handle } of [en, es]) {
      await handle.signal(interactiveCompletedSignal, { amount: '50' });
      await waitForStatus(handle, 'pending_anchor');
    }
    expect((await en.handle.result()).status).toBe('expired'); // time skips over the KYC wait
    expect((await es.handle.result()).status).toBe('expired');
    const wire = async (id: string) => toSep24Transaction(config, (await getTransaction(tdb.db, id))!);
    expect(await wire(en.id)).toMatchObject({
      status: 'expired',
      message: 'Identity verification was not completed in time.',
    });
    expect(await wire(es.id)).toMatchObject({
      status: 'expired',
      message: 'La verificación de identidad no se completó a tiempo.',
    });
    expect(en.s.paymentCalls + es.s.paymentCalls).toBe(0);
  });

  it('trust line missing then added: pending_trust, re-checked on a durable timer, then paid (S24-25)', async () => {
    const { id, handle, s } = await startDeposit({ trustline: false, trustlineAfterChecks: 3 });
    await handle.signal(interactiveCompletedSignal, { amount: '20' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '20'));
    await waitForStatus(handle, 'pending_trust');
    expect((await getTransaction(tdb.db, id))?.status).toBe('pending_trust');
    const result = await handle.result(); // time skips through the polling timers
    expect(result.status).toBe('completed');
    expect(s.trustChecks).toBe(3);
    expect(s.payments.size).toBe(1);
  });

  it('S24-24: the destination does not exist: created once with DEPOSIT_ACCOUNT_STARTING_BALANCE XLM, then pending_trust until the trust line, then paid', async () => {
    const { id, account, handle, s } = await startDeposit({
      missing: true,
      trustline: false,
      trustlineAfterChecks: 2,
    });
    await handle.signal(interactiveCompletedSignal, { amount: '100' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '100'));
    expect((await handle.result()).status).toBe('completed');
    expect(s.created).toEqual([
      { ref: `create-account-${id}`, destination: account, startingBalance: '2.01' },
    ]);
    expect([...s.payments.values()].map((p) => p.amount)).toEqual(['98']);
  });

  it('S24-24, S24-26: a missing account whose wallet takes claimable balances: created, then paid by claimable balance', async () => {
    const { id, handle, s } = await startDeposit({ missing: true, trustline: false, claimable: true });
    await handle.signal(interactiveCompletedSignal, { amount: '100' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '100'));
    expect((await handle.result()).status).toBe('completed');
    expect(s.created).toHaveLength(1);
    expect([...s.payments.values()]).toEqual([expect.objectContaining({ claimable: true, amount: '98' })]);
  });

  it('no trust line but the wallet supports claimable balances: paid as a claimable balance, completed (S24-26)', async () => {
    const { id, account, handle, s } = await startDeposit({ trustline: false, claimable: true });
    await handle.signal(interactiveCompletedSignal, { amount: '20' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '20'));
    expect((await handle.result()).status).toBe('completed');
    expect([...s.payments.values()]).toEqual([{ destination: account, amount: '18.8', claimable: true }]);
    const row = await getTransaction(tdb.db, id);
    expect(row?.claimable_balance_id).toBe(`00000000${'ab'.repeat(32)}`);
  });

  it('trust line never added: refunded after DEPOSIT_TRUST_TIMEOUT_SECONDS with a refunds object (S24-33)', async () => {
    const { id, handle, s } = await startDeposit({ trustline: false });
    await handle.signal(interactiveCompletedSignal, { amount: '20' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '20'));
    expect((await handle.result()).status).toBe('refunded');
    expect(s.paymentCalls).toBe(0);
    expect(s.refunds).toEqual([{ amount: '20', bankTransferId: `bt-${id}-1` }]);
    const row = await getTransaction(tdb.db, id);
    expect(row?.status).toBe('refunded');
    expect(row?.refunds).toEqual({
      amount_refunded: '20',
      amount_fee: '0',
      payments: [{ id: `bank-refund-bt-${id}-1`, id_type: 'external', amount: '20', fee: '0' }],
    });
    expect(row?.completed_at).toBeInstanceOf(Date);
  });

  it('operator refund while waiting for a trust line: the bank transfer goes back once, status refunded (S24-33)', async () => {
    const { id, handle, s } = await startDeposit({ trustline: false });
    await handle.signal(interactiveCompletedSignal, { amount: '20' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '20'));
    await waitForStatus(handle, 'pending_trust');
    await handle.signal(operatorRefundSignal, { operator: 'ops@anchor', reason: 'customer request' });
    await handle.signal(operatorRefundSignal, { operator: 'ops@anchor', reason: 'clicked twice' });
    expect((await handle.result()).status).toBe('refunded');
    expect(s.paymentCalls).toBe(0);
    expect(s.refunds).toEqual([{ amount: '20', bankTransferId: `bt-${id}-1` }]);
    const row = await getTransaction(tdb.db, id);
    expect(row?.refunds).toMatchObject({ amount_refunded: '20', amount_fee: '0' });
  });

  it('abandoned in incomplete: expires by itself (status expired)', async () => {
    const { id, handle } = await startDeposit();
    expect((await handle.result()).status).toBe('expired');
    expect((await getTransaction(tdb.db, id))?.status).toBe('expired');
  });

  it('abandoned in pending_user_transfer_start: expires and releases the bank reference', async () => {
    const { id, handle } = await startDeposit();
    await handle.signal(interactiveCompletedSignal, { amount: '30' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    expect((await getTransaction(tdb.db, id))?.bank_reference).not.toBeNull();
    expect((await handle.result()).status).toBe('expired');
    const row = await getTransaction(tdb.db, id);
    expect(row?.status).toBe('expired');
    expect(row?.bank_reference).toBeNull();
  });

  it('received amount differs but within limits: accepted, fees recomputed on what arrived', async () => {
    const { id, handle, s } = await startDeposit();
    await handle.signal(interactiveCompletedSignal, { amount: '100' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '200'));
    expect((await handle.result()).status).toBe('completed');
    const row = await getTransaction(tdb.db, id);
    expect(row?.amount_in).toBe('200.0000000');
    expect(row?.amount_fee).toBe('3.0000000');
    expect(row?.amount_out).toBe('197.0000000');
    expect([...s.payments.values()][0]?.amount).toBe('197');
  });

  it('received amount above the maximum: refunded, nothing paid on Stellar, message in the user language (X-11)', async () => {
    const { id, handle, s } = await startDeposit({ lang: 'es' });
    await handle.signal(interactiveCompletedSignal, { amount: '100' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '5000'));
    expect((await handle.result()).status).toBe('refunded');
    expect(s.paymentCalls).toBe(0);
    expect(s.refunds).toEqual([{ amount: '5000', bankTransferId: `bt-${id}-1` }]);
    const row = await getTransaction(tdb.db, id);
    expect(row?.amount_in).toBe('5000.0000000');
    expect(row?.message).toBe('La transferencia de 5000 está fuera de los límites aceptados; se devuelve.');
  });

  it('payout fails permanently: error with a message and an operator alert row, never a silent stall', async () => {
    const { id, handle } = await startDeposit({ paymentFails: true });
    await handle.signal(interactiveCompletedSignal, { amount: '40' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '40'));
    expect((await handle.result()).status).toBe('error');
    const row = await getTransaction(tdb.db, id);
    expect(row?.status).toBe('error');
    expect(row?.message).toBe(
      'The payment could not be sent. Our team has been alerted and will contact you.',
    );
    const alerts = await tdb.db.selectFrom('alerts').selectAll().where('transaction_id', '=', id).execute();
    expect(alerts.map((a) => a.kind)).toEqual(['deposit_payout_failed']);
    expect(alerts[0]?.message).toMatch(/StellarNotAuthorized/); // the detail is for the operator only
  });

  it('distribution account short of funds: waits in pending_anchor, a distributionToppedUp signal retries, paid once', async () => {
    const { id, handle, s } = await startDeposit({ underfundedTimes: 1 });
    await handle.signal(interactiveCompletedSignal, { amount: '40' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '40'));
    await waitForStatus(handle, 'pending_anchor');
    const deadline = Date.now() + 30_000;
    while (s.paymentCalls < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await waitForStatus(handle, 'pending_anchor');
    expect((await getTransaction(tdb.db, id))?.message).toBe(
      'Your deposit is being prepared; it will be sent shortly.',
    );
    await handle.signal(distributionToppedUpSignal, { topUpId: 't1', amount: '1000', txHash: 'h' });
    expect((await handle.result()).status).toBe('completed');
    expect(s.paymentCalls).toBe(2);
    expect(s.payments.size).toBe(1);
    const alerts = await tdb.db.selectFrom('alerts').selectAll().where('transaction_id', '=', id).execute();
    expect(alerts.map((a) => a.kind)).toEqual(['deposit_distribution_underfunded']);
    expect((await getTransaction(tdb.db, id))?.message).toBeNull();
  });

  it('duplicate and reordered bank signals: exactly one payment; a second distinct transfer raises an alert', async () => {
    const { id, handle, s } = await startDeposit();
    await handle.signal(interactiveCompletedSignal, { amount: '60' });
    await handle.signal(interactiveCompletedSignal, { amount: '999' }); // a replayed page submit changes nothing
    await waitForStatus(handle, 'pending_user_transfer_start');
    const first = transfer(id, '60', 1);
    await Promise.all([
      handle.signal(bankTransferReceivedSignal, first),
      handle.signal(bankTransferReceivedSignal, first),
      handle.signal(bankTransferReceivedSignal, transfer(id, '60', 2)),
      handle.signal(bankTransferReceivedSignal, first),
    ]);
    expect((await handle.result()).status).toBe('completed');
    expect(s.payments.size).toBe(1);
    expect([...s.payments.values()][0]?.amount).toBe('58.4');
    const alerts = await tdb.db.selectFrom('alerts').selectAll().where('transaction_id', '=', id).execute();
    expect(alerts.map((a) => a.kind)).toEqual(['deposit_extra_transfer']);
  });

  it('on_change_callback: every status change POSTs the /transaction body signed by SIGNING_KEY (S24-19, S12-24)', async () => {
    const url = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/cb`;
    const { id, handle } = await startDeposit({ onChangeCallback: url });
    await handle.signal(interactiveCompletedSignal, { amount: '100' });
    await waitForStatus(handle, 'pending_user_transfer_start');
    await handle.signal(bankTransferReceivedSignal, transfer(id, '100'));
    await handle.result();
    const deadline = Date.now() + 30_000;
    const mine = () =>
      received.filter((r) => (JSON.parse(r.body) as { transaction: { id: string } }).transaction.id === id);
    while (mine().length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const statuses = mine().map(
      (r) => (JSON.parse(r.body) as { transaction: { status: string } }).transaction.status,
    );
    expect(new Set(statuses)).toEqual(
      new Set(['pending_user_transfer_start', 'pending_anchor', 'pending_stellar', 'completed']),
    );
    recorder.track(env.client.workflow.getHandle(`deposit-${id}-callback-1`));
    const signing = Keypair.fromPublicKey(config.stellar.signingKey);
    for (const r of mine()) {
      const header = String(r.headers.signature);
      const m = /^t=(\d+), s=(.+)$/.exec(header);
      expect(m).not.toBeNull();
      const host = new URL(url).host;
      const ok = signing.verify(Buffer.from(`${m![1]}.${host}.${r.body}`), Buffer.from(m![2]!, 'base64'));
      expect(ok).toBe(true);
      expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(120);
    }
  });
});

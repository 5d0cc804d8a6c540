import { randomUUID } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBankActivities } from '../../activities/bank.js';
import { createNotifyActivities } from '../../activities/notify.js';
import { createRecordActivities } from '../../activities/records.js';
import type { ApiDeps } from '../../api/deps.js';
import { depositRules } from '../../api/sep24/deposit.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { getTransaction, insertTransaction } from '../../db/transactions.js';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import type { DepositWorkflowInput, depositWorkflow } from '../../workflows/deposit.js';
import { interactiveCompletedSignal, transactionStatusQuery } from '../../workflows/messages.js';
import { serveOnFreePort, startTestBank, waitFor } from '../helpers/bank.js';
import { webhookTestApp } from '../helpers/bank-webhook.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { incompleteDepositRow } from '../helpers/transactions.js';

/**
 * The real deposit workflow fed by the real bank rails: a customer's transfer at the sandbox bank reaches the
 * anchor by signed webhook over HTTP, is matched by its reference and signalled; refunds go back through the
 * sandbox bank. KYC and the Stellar payment are doubles (other families' concern).
 */
describe('deposit funded through the bank rails (issue 7 part 4 with the deposit workflow; S24-28, S24-33)', () => {
  let tdb: TestDb;
  let bank: SandboxBank;
  let api: Awaited<ReturnType<typeof serveOnFreePort>>;
  let temporal: TestTemporal;
  let config: AppConfig;
  const handles: WorkflowHandle[] = [];

  beforeAll(async () => {
    tdb = await createTestDb('bdep');
    const base = testConfig({ DEPOSIT_AMOUNT_MISMATCH: 'refund' });
    const apiDeps = (): ApiDeps => ({
      config,
      db: tdb.db,
      temporal: temporal.client,
      logger: createLogger('t', 'silent'),
    });
    api = await serveOnFreePort((req) => webhookTestApp(apiDeps()).fetch(req));
    bank = await startTestBank(base, `${api.url}/webhooks/bank`, { deliveryIntervalMs: 50 });
    config = testConfig({ DEPOSIT_AMOUNT_MISMATCH: 'refund', BANK_API_URL: bank.url });
    const outsideWorld = {
      async getKycStatus() {
        return { status: 'ACCEPTED' as const };
      },
      async registerKycWaiter() {},
      async unregisterKycWaiter() {},
      async accountExists() {
        return true;
      },
      async hasTrustline() {
        return true;
      },
      async sendPayment(input: { ref: string }) {
        return { hash: `hash-${input.ref}`, ledger: 7 };
      },
    };
    temporal = await startTestWorker(
      { config, db: tdb.db },
      {
        activities: {
          ...createRecordActivities({ config, db: tdb.db }),
          ...createNotifyActivities({ config }),
          ...createBankActivities({ config, db: tdb.db }),
          ...outsideWorld,
        },
      },
    );
  });
  afterAll(async () => {
    await Promise.all(handles.map((h) => h.terminate().catch(() => {})));
    await temporal?.stop();
    await bank?.close({ dropSchema: true });
    await api?.close();
    await tdb?.destroy();
  });

  async function startDeposit(amount: string) {
    const id = randomUUID();
    const account = Keypair.random().publicKey();
    await insertTransaction(tdb.db, incompleteDepositRow(config, id, account, { amount_expected: amount }));
    const input: DepositWorkflowInput = {
      transactionId: id,
      subAccount: account,
      subMemo: null,
      destination: account,
      assetCode: config.stellar.assetCode,
      assetIssuer: config.stellar.issuerAccount,
      memo: null,
      amount,
      claimableBalanceSupported: false,
      rules: depositRules(config),
    };
    const handle = await temporal.client.workflow.start<typeof depositWorkflow>('depositWorkflow', {
      workflowId: `deposit-${id}`,
      taskQueue: temporal.taskQueue,
      args: [input],
    });
    handles.push(handle);
    await handle.signal(interactiveCompletedSignal, { amount });
    await waitFor(async () => (await handle.query(transactionStatusQuery)) === 'pending_user_transfer_start');
    const reference = (await getTransaction(tdb.db, id))!.bank_reference!;
    expect(reference).toBeTruthy();
    return { id, handle, reference };
  }

  const customerSends = async (reference: string, amount: string) => {
    const res = await fetch(`${bank.url}/api/transfers`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${config.bank.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        reference: `Payment ${reference}`,
        amount,
        from_account: 'ES9121000418450200051332',
      }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  it('the transfer completes the deposit: external id, masked from, amount in (S24-28)', async () => {
    const { id, handle, reference } = await startDeposit('100');
    const transferId = await customerSends(reference, '100.00');
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const row = (await getTransaction(tdb.db, id))!;
    expect(row).toMatchObject({
      status: 'completed',
      external_transaction_id: transferId,
      from_address: 'ES91****1332',
      bank_reference: null,
    });
    expect(Number(row.amount_in)).toBe(100);
    const recorded = await tdb.db
      .selectFrom('bank_transfers')
      .selectAll()
      .where('id', '=', transferId)
      .executeTakeFirstOrThrow();
    expect(recorded).toMatchObject({ status: 'signalled', transaction_id: id, source: 'webhook' });
  });

  it('a transfer for the wrong amount is refunded to the sender through the bank, once (S24-33)', async () => {
    const { id, handle, reference } = await startDeposit('50');
    const transferId = await customerSends(reference, '45.00');
    expect(await handle.result()).toMatchObject({ status: 'refunded' });
    const payouts = await bank.store.db
      .selectFrom('payouts')
      .selectAll()
      .where('idempotency_key', '=', `refund-${id}`)
      .execute();
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({ account_number: 'ES9121000418450200051332', amount: '45.0000000' });
    const row = (await getTransaction(tdb.db, id))!;
    expect(row.status).toBe('refunded');
    expect(row.external_transaction_id).toBe(transferId);
    expect(row.refunds?.payments).toEqual([
      { id: payouts[0]!.id, id_type: 'external', amount: '45', fee: '0' },
    ]);
  });
});

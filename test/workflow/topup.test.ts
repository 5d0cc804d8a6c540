import { randomBytes } from 'node:crypto';
import {
  Asset,
  Horizon,
  Keypair,
  Operation,
  type Transaction,
  TransactionBuilder,
} from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTopUpActivities } from '../../activities/topup.js';
import { createApp } from '../../api/app.js';
import { type AppConfig, loadConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { getTopUp } from '../../db/topups.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { ensureTopUpSchedule, topUpScheduleSpec } from '../../worker/topup-schedule.js';
import { topUpStateQuery } from '../../workflows/messages.js';
import { TransactionKind, TransactionStatus } from '../../workflows/search-attributes.js';
import { topUpWorkflow } from '../../workflows/topup.js';
import { adminKey, adminKeysEnv } from '../api/admin-helpers.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { historyRecorder } from './history-recorder.js';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function balanceOf(hz: SandboxHorizonHandle, config: AppConfig): Promise<string | undefined> {
  const acc = await hz.server.loadAccount(config.stellar.distributionAccount);
  const line = acc.balances.find(
    (b) =>
      'asset_code' in b &&
      b.asset_code === config.stellar.assetCode &&
      b.asset_issuer === config.stellar.issuerAccount,
  );
  return line?.balance;
}

const recorder = historyRecorder('topup');

describe('top-up in the sandbox: signed with the sandbox issuer, end to end (issue 9)', () => {
  let hz: SandboxHorizonHandle;
  let tdb: TestDb;
  let temporal: TestTemporal;
  let config: AppConfig;

  beforeAll(async () => {
    hz = await startSandboxHorizon();
    tdb = await createTestDb('topup');
    config = testConfig({ HORIZON_URL: hz.url, TOPUP_THRESHOLD: '1000', TOPUP_TARGET: '5000' });
    await setupSandboxAccounts(config, { horizon: hz.server, workingBalance: '250' });
    temporal = await startTestWorker({ config, db: tdb.db, horizon: hz.server });
  });
  afterAll(async () => {
    await recorder.save();
    await temporal?.stop();
    await tdb?.destroy();
    await hz?.stop();
  });

  it('tops the distribution account up to TOPUP_TARGET, then finds nothing to do', async () => {
    expect(await balanceOf(hz, config)).toBe('250.0000000');
    const workflowId = `topup-sbx-${randomBytes(4).toString('hex')}`;
    const result = await temporal.client.workflow.execute(topUpWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId,
    });
    expect(result).toMatchObject({ status: 'completed', balance: '250.0000000', amount: '4750.0000000' });
    expect(await balanceOf(hz, config)).toBe('5000.0000000');
    const row = await getTopUp(tdb.db, workflowId);
    expect(row).toMatchObject({ status: 'completed', tx_hash: result.txHash });
    const onLedger = await hz.server.transactions().transaction(result.txHash!).call();
    expect(onLedger.successful).toBe(true);

    const again = await temporal.client.workflow.execute(topUpWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId: `${workflowId}-2`,
    });
    expect(again).toEqual({ status: 'not_needed', balance: '5000.0000000' });
    recorder.track(temporal.client.workflow.getHandle(workflowId));
    recorder.track(temporal.client.workflow.getHandle(`${workflowId}-2`));

    // Replay guards determinism of the shipped workflow code.
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      history,
      workflowId,
    );
  });

  it('a resubmission after a crash finds the hash on the ledger and never pays twice', async () => {
    const done = await tdb.db
      .selectFrom('topups')
      .selectAll()
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow();
    // As if the worker died after Horizon accepted the envelope but before the row was updated.
    await tdb.db
      .updateTable('topups')
      .set({ status: 'submitting', ledger: null, completed_at: null })
      .where('id', '=', done.id)
      .execute();
    const activities = createTopUpActivities({ config, db: tdb.db, horizon: hz.server });
    const before = await balanceOf(hz, config);
    const again = await activities.topUpSubmit({ topUpId: done.id });
    expect(again.txHash).toBe(done.tx_hash);
    expect(again.ledger).toBe(done.ledger);
    expect(await balanceOf(hz, config)).toBe(before);
    expect(await getTopUp(tdb.db, done.id)).toMatchObject({ status: 'completed', ledger: done.ledger });
  });

  it('wakes deposits waiting in pending_anchor with distributionToppedUp', async () => {
    // Spend the distribution account down below the threshold (pay back to the issuer burns the asset).
    const distribution = Keypair.fromSecret(config.stellar.distributionSecret);
    const spend = new TransactionBuilder(await hz.server.loadAccount(distribution.publicKey()), {
      fee: '100',
      networkPassphrase: hz.passphrase,
    })
      .addOperation(
        Operation.payment({
          destination: config.stellar.issuerAccount,
          asset: new Asset(config.stellar.assetCode, config.stellar.issuerAccount),
          amount: '4500',
        }),
      )
      .setTimeout(60)
      .build();
    spend.sign(distribution);
    await hz.server.submitTransaction(spend);

    // A deposit workflow parked in pending_anchor (no worker polls its queue: signals stay in its history).
    const depositId = `deposit-wait-${randomBytes(4).toString('hex')}`;
    const parked = await temporal.client.workflow.start('parkedDeposit', {
      taskQueue: `parked-${randomBytes(4).toString('hex')}`,
      workflowId: depositId,
      typedSearchAttributes: [
        { key: TransactionKind, value: 'deposit' },
        { key: TransactionStatus, value: 'pending_anchor' },
      ],
    });
    await waitFor('the parked deposit to be visible', async () => {
      for await (const wf of temporal.client.workflow.list({
        query: `WorkflowId="${depositId}" AND TransactionStatus="pending_anchor"`,
      })) {
        if (wf.workflowId === depositId) return true;
      }
      return undefined;
    });

    const result = await temporal.client.workflow.execute(topUpWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId: `topup-wake-${randomBytes(4).toString('hex')}`,
    });
    expect(result).toMatchObject({ status: 'completed', amount: '4500.0000000' });
    expect(result.depositsSignalled).toBeGreaterThanOrEqual(1);
    const history = await parked.fetchHistory();
    const signal = history.events!.find((e) => e.workflowExecutionSignaledEventAttributes)!
      .workflowExecutionSignaledEventAttributes!;
    expect(signal.signalName).toBe('distributionToppedUp');
    expect(JSON.parse(Buffer.from(signal.input!.payloads![0]!.data!).toString())).toEqual({
      topUpId: result.topUpId,
      amount: '4500.0000000',
      txHash: result.txHash,
    });
    await parked.terminate('test done');
  });

  it('ensureTopUpSchedule creates the schedule once and updates it in place', async () => {
    const scheduleId = `topup-sched-${randomBytes(4).toString('hex')}`;
    const first = await ensureTopUpSchedule(temporal.client, config, {
      scheduleId,
      taskQueue: temporal.taskQueue,
    });
    const changed = testConfig({ HORIZON_URL: hz.url, TOPUP_CRON: '0 6 * * *' });
    await ensureTopUpSchedule(temporal.client, changed, { scheduleId, taskQueue: temporal.taskQueue });
    const desc = await first.describe();
    expect(desc.action).toMatchObject({ workflowType: 'topUpWorkflow', taskQueue: temporal.taskQueue });
    expect(desc.policies.overlap).toBe('SKIP');
    expect(topUpScheduleSpec(changed)).toEqual({ cronExpressions: ['0 6 * * *'] });
    expect(JSON.stringify(desc.spec)).toContain('"hour":[{"start":6');
    await first.delete();
  });
});

describe('top-up on the testnet profile: cold signatures, 2-of-3 multisig issuer (issue 9)', () => {
  let hz: SandboxHorizonHandle;
  let tdb: TestDb;
  let temporal: TestTemporal;
  let config: AppConfig;
  const issuer = Keypair.random();
  const cold = [Keypair.random(), Keypair.random(), Keypair.random()];
  const ops = adminKey('treasury', 'topups:read,topups:write');
  let app: ReturnType<typeof createApp>;
  let apiConnection: Connection;
  let baseEnv: Record<string, string>;

  beforeAll(async () => {
    hz = await startSandboxHorizon();
    tdb = await createTestDb('topupc');
    const distribution = Keypair.random();
    baseEnv = {
      PROFILE: 'testnet',
      LOG_LEVEL: 'silent',
      DATABASE_URL: inject('pgUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      HORIZON_URL: hz.url,
      PUBLIC_URL: 'https://anchor.example.com',
      SIGNING_SECRET: Keypair.random().secret(),
      DISTRIBUTION_SECRET: distribution.secret(),
      ISSUER_PUBLIC_KEY: issuer.publicKey(),
      JWT_SECRET: randomBytes(32).toString('hex'),
      WITHDRAW_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      KYC_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('hex')}`,
      KYC_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
      TOPUP_THRESHOLD: '100',
      TOPUP_TARGET: '700',
      ADMIN_API_KEYS: adminKeysEnv([ops]),
    };
    config = loadConfig(baseEnv);
    expect(config.stellar.issuerSecret).toBeUndefined();
    await hz.friendbot(issuer.publicKey());
    await hz.friendbot(distribution.publicKey());
    const asset = new Asset(config.stellar.assetCode, issuer.publicKey());
    const fee = '100';
    const trust = new TransactionBuilder(await hz.server.loadAccount(distribution.publicKey()), {
      fee,
      networkPassphrase: hz.passphrase,
    })
      .addOperation(Operation.changeTrust({ asset }))
      .setTimeout(60)
      .build();
    trust.sign(distribution);
    await hz.server.submitTransaction(trust);
    // The issuer goes cold: three signers of weight 1, medium threshold 2, master key disabled.
    const multisig = new TransactionBuilder(await hz.server.loadAccount(issuer.publicKey()), {
      fee,
      networkPassphrase: hz.passphrase,
    });
    for (const k of cold)
      multisig.addOperation(Operation.setOptions({ signer: { ed25519PublicKey: k.publicKey(), weight: 1 } }));
    multisig.addOperation(
      Operation.setOptions({ masterWeight: 0, lowThreshold: 1, medThreshold: 2, highThreshold: 2 }),
    );
    const tx = multisig.setTimeout(60).build();
    tx.sign(issuer);
    await hz.server.submitTransaction(tx);

    temporal = await startTestWorker({
      config,
      db: tdb.db,
      horizon: new Horizon.Server(hz.url, { allowHttp: true }),
    });
    apiConnection = await Connection.connect({ address: inject('temporalAddress') });
    // The testnet profile refuses plain-http Horizon in the SDK; the sandbox ledger here is http on loopback.
    app = createApp({
      config: { ...config, stellar: { ...config.stellar, allowHttp: true } },
      db: tdb.db,
      temporal: new Client({ connection: apiConnection, namespace: 'default' }),
      logger: createLogger('test', 'silent'),
    });
  });
  afterAll(async () => {
    await recorder.save();
    await apiConnection?.close();
    await temporal?.stop();
    await tdb?.destroy();
    await hz?.stop();
  });

  function signed(unsignedXdr: string, keys: Keypair[]): string {
    const tx = TransactionBuilder.fromXDR(unsignedXdr, config.stellar.networkPassphrase);
    for (const k of keys) tx.sign(k);
    return tx.toEnvelope().toXDR('base64');
  }
  const handIn = (id: string, envelope: string) =>
    app.request(`/admin/topups/${id}/signed-envelope`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ops.raw}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ envelope_xdr: envelope }),
    });

  it('publishes the unsigned XDR, rejects a non-signer and an under-threshold envelope, completes with 2-of-3', async () => {
    const workflowId = `topup-cold-${randomBytes(4).toString('hex')}`;
    const handle = await temporal.client.workflow.start(topUpWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId,
    });
    recorder.track(handle);

    const row = await waitFor('awaiting_signature', async () => {
      const r = await getTopUp(tdb.db, workflowId);
      return r?.status === 'awaiting_signature' ? r : undefined;
    });
    expect(row.amount).toBe('700.0000000');
    const listed = (await (
      await app.request('/admin/topups?status=awaiting_signature', {
        headers: { Authorization: `Bearer ${ops.raw}` },
      })
    ).json()) as { topups: { id: string; unsigned_xdr: string }[] };
    expect(listed.topups.map((t) => t.id)).toEqual([workflowId]);
    const alert = await tdb.db
      .selectFrom('alerts')
      .selectAll()
      .where('transaction_id', '=', workflowId)
      .executeTakeFirst();
    expect(alert).toMatchObject({ kind: 'topup_awaiting_signature', acknowledged_at: null });
    const unsigned = listed.topups[0]!.unsigned_xdr;

    // A non-signer's signature (with one real signer): rejected, the workflow keeps waiting.
    expect((await handIn(workflowId, signed(unsigned, [cold[0]!, Keypair.random()]))).status).toBe(202);
    await waitFor('first rejection', async () =>
      (await handle.query(topUpStateQuery)).rejections.length === 1 ? true : undefined,
    );
    // One signer of weight 1 < medium threshold 2: rejected.
    expect((await handIn(workflowId, signed(unsigned, [cold[1]!]))).status).toBe(202);
    const state = await waitFor('second rejection', async () => {
      const s = await handle.query(topUpStateQuery);
      return s.rejections.length === 2 ? s : undefined;
    });
    expect(state.phase).toBe('awaiting_signature');
    expect(state.rejections[0]).toMatch(/not a signer/);
    expect(state.rejections[1]).toMatch(/below the issuer's medium threshold 2/);
    expect(await balanceOf(hz, config)).toBe('0.0000000');

    // 2-of-3: accepted and submitted.
    expect((await handIn(workflowId, signed(unsigned, [cold[0]!, cold[2]!]))).status).toBe(202);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', amount: '700.0000000', txHash: row.tx_hash });
    expect(await balanceOf(hz, config)).toBe('700.0000000');
    expect(await getTopUp(tdb.db, workflowId)).toMatchObject({ status: 'completed' });
    const acked = await tdb.db
      .selectFrom('alerts')
      .selectAll()
      .where('transaction_id', '=', workflowId)
      .executeTakeFirstOrThrow();
    expect(acked.acknowledged_at).not.toBeNull();

    // After completion the admin API refuses further envelopes.
    expect((await handIn(workflowId, signed(unsigned, [cold[0]!, cold[2]!]))).status).toBe(409);
  });

  it('expires after TOPUP_SIGNATURE_TIMEOUT: alert closed, and the envelope can no longer land (time bound)', async () => {
    const distribution = Keypair.random();
    await hz.friendbot(distribution.publicKey());
    const trust = new TransactionBuilder(await hz.server.loadAccount(distribution.publicKey()), {
      fee: '100',
      networkPassphrase: hz.passphrase,
    })
      .addOperation(Operation.changeTrust({ asset: new Asset(config.stellar.assetCode, issuer.publicKey()) }))
      .setTimeout(60)
      .build();
    trust.sign(distribution);
    await hz.server.submitTransaction(trust);
    const shortConfig = loadConfig({
      ...baseEnv,
      DISTRIBUTION_SECRET: distribution.secret(),
      TOPUP_SIGNATURE_TIMEOUT: '2s',
    });
    const worker = await startTestWorker({
      config: shortConfig,
      db: tdb.db,
      horizon: new Horizon.Server(hz.url, { allowHttp: true }),
    });
    try {
      const workflowId = `topup-expire-${randomBytes(4).toString('hex')}`;
      const result = await worker.client.workflow.execute(topUpWorkflow, {
        taskQueue: worker.taskQueue,
        workflowId,
      });
      expect(result).toMatchObject({ status: 'expired', amount: '700.0000000' });
      recorder.track(temporal.client.workflow.getHandle(workflowId));
      const row = await getTopUp(tdb.db, workflowId);
      expect(row?.status).toBe('expired');
      const alert = await tdb.db
        .selectFrom('alerts')
        .selectAll()
        .where('transaction_id', '=', workflowId)
        .executeTakeFirstOrThrow();
      expect(alert.acknowledged_at).not.toBeNull();
      // Signed properly but too late: the network refuses it.
      await waitFor('the envelope time bound to pass', async () => {
        const ledger = await hz.server.ledgers().order('desc').limit(1).call();
        const closedAt = Date.parse(ledger.records[0]!.closed_at);
        const maxTime = Number(
          (
            TransactionBuilder.fromXDR(
              row!.unsigned_xdr,
              shortConfig.stellar.networkPassphrase,
            ) as Transaction
          ).timeBounds!.maxTime,
        );
        return closedAt / 1000 > maxTime + 1 ? true : undefined;
      });
      const late = signed(row!.unsigned_xdr, [cold[0]!, cold[1]!]);
      await expect(
        hz.server.submitTransaction(TransactionBuilder.fromXDR(late, shortConfig.stellar.networkPassphrase)),
      ).rejects.toMatchObject({
        response: { data: { extras: { result_codes: { transaction: 'tx_too_late' } } } },
      });
      expect(await balanceOf(hz, shortConfig)).toBe('0.0000000');
    } finally {
      await worker.stop();
    }
  });
});

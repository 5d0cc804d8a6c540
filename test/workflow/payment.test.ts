import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createStellarActivities,
  type StellarActivityHooks,
  StellarFailure,
} from '../../activities/stellar.js';
import type { AppConfig } from '../../config/index.js';
import { findEnvelope } from '../../db/stellar-payments.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { anchorAsset } from '../../stellar/assets.js';
import { formatFixed7, parseAmount } from '../../stellar/money.js';
import { muxedAddress } from '../../stellar/muxed.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon, trustAsset } from '../helpers/horizon.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { sendPaymentWorkflow } from './probes/send-payment.js';

/**
 * A payment is never sent twice: crashes before submit, lost answers after the ledger applied the payment, and
 * crashes after the answer before it was recorded all end with exactly one payment on the (sandbox) ledger.
 * Balances on the ledger are the proof.
 */
describe('sendPayment: exactly one payment whatever fails (issue 4)', () => {
  let hz: SandboxHorizonHandle;
  let tdb: TestDb;
  let config: AppConfig;
  let temporal: TestTemporal;
  const hooks: StellarActivityHooks = {};
  const customer = Keypair.random();
  let acts: ReturnType<typeof createStellarActivities>;

  const trust = (kp: Keypair) =>
    trustAsset(hz, kp, { code: config.stellar.assetCode, issuer: config.stellar.issuerAccount });

  const balance = (account = customer.publicKey()) => acts.getBalance(account, anchorAsset(config));

  beforeAll(async () => {
    hz = await startSandboxHorizon({ ledgerCloseMs: 200 });
    tdb = await createTestDb('pay');
    config = testConfig({ HORIZON_URL: hz.url, STELLAR_TX_TIMEOUT_SECONDS: '5' });
    await setupSandboxAccounts(config, { horizon: hz.server });
    await hz.friendbot(customer.publicKey());
    await trust(customer);
    acts = createStellarActivities({ config, db: tdb.db, horizon: hz.server, stellarHooks: hooks });
    temporal = await startTestWorker({ config, db: tdb.db, horizon: hz.server, stellarHooks: hooks });
  });
  afterAll(async () => {
    await temporal?.stop();
    await tdb?.destroy();
    await hz?.stop();
  });

  const pay = (ref: string, amount = '1.5') => ({
    ref,
    destination: customer.publicKey(),
    asset: anchorAsset(config),
    amount,
  });

  async function viaWorkflow(ref: string, amount = '1.5') {
    return temporal.client.workflow.execute(sendPaymentWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId: `pay-${ref}`,
      args: [pay(ref, amount)],
    });
  }

  it('sets up the issuer, distribution and channel accounts once; a second run changes nothing', async () => {
    const issuer = (await hz.server.loadAccount(config.stellar.issuerAccount)) as unknown as {
      home_domain: string;
    };
    expect(issuer.home_domain).toBe(config.api.homeDomain);
    expect(await balance(config.stellar.distributionAccount)).toBe('100000.0000000');
    for (const ch of config.payments.channelAccounts) expect(await acts.accountExists(ch)).toBe(true);
    const again = await setupSandboxAccounts(config, { horizon: hz.server });
    expect(again.changes).toEqual([]);
  });

  it('the same ref twice is one payment with one hash', async () => {
    const before = await balance();
    const first = await acts.sendPayment(pay('twice'));
    const second = await acts.sendPayment(pay('twice'));
    expect(second).toEqual(first);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await balance()).toBe(addAmount(before, '1.5'));
  });

  it('crash after the envelope is stored, before submit: the retry submits the same envelope once', async () => {
    const before = await balance();
    let calls = 0;
    hooks.beforeSubmit = (ref) => {
      if (ref === 'crash-before' && ++calls === 1) throw new Error('worker died before submit');
    };
    const result = await viaWorkflow('crash-before');
    hooks.beforeSubmit = undefined;
    expect(calls).toBe(2); // the crash, then the retry that submitted
    const row = await findEnvelope(tdb.db, 'crash-before');
    expect(row).toMatchObject({ status: 'succeeded', hash: result.hash, attempt: 1 });
    expect(await balance()).toBe(addAmount(before, '1.5'));
    // Replay guards determinism of the shipped workflow code.
    const history = await temporal.client.workflow.getHandle('pay-crash-before').fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history);
  });

  it('answer lost after the ledger applied the payment: the retry finds the hash and does not pay again', async () => {
    const before = await balance();
    let dropped = 0;
    const id = hz.server.httpClient.interceptors.response.use((response) => {
      const url = String(response.config?.url ?? '');
      if (response.config?.method === 'post' && url.endsWith('/transactions') && dropped === 0) {
        dropped++;
        throw new Error('socket hang up (simulated after the ledger applied it)');
      }
      return response;
    });
    try {
      const result = await viaWorkflow('lost-answer', '2');
      expect(dropped).toBe(1);
      const row = await findEnvelope(tdb.db, 'lost-answer');
      expect(row).toMatchObject({ status: 'succeeded', hash: result.hash, attempt: 1 });
    } finally {
      hz.server.httpClient.interceptors.response.eject(id);
    }
    expect(await balance()).toBe(addAmount(before, '2'));
  });

  it('crash after the answer, before it was recorded: the retry records it without paying again', async () => {
    const before = await balance();
    let crashes = 0;
    hooks.afterSubmit = (ref) => {
      if (ref === 'crash-after' && crashes++ === 0) throw new Error('worker died after submit');
    };
    const result = await viaWorkflow('crash-after', '3');
    hooks.afterSubmit = undefined;
    expect(crashes).toBe(1);
    expect((await findEnvelope(tdb.db, 'crash-after'))?.hash).toBe(result.hash);
    expect(await balance()).toBe(addAmount(before, '3'));
  });

  it('a worker process killed mid-flight (payment on the ledger, not recorded): another worker finishes it, one payment', async () => {
    const before = await balance();
    const queue = `kill-${randomUUID()}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/workflow/payment-kill-worker.ts'], {
      env: {
        ...process.env,
        KILL_DATABASE_URL: tdb.url,
        KILL_SCHEMA: tdb.schema,
        KILL_TEMPORAL_ADDRESS: inject('temporalAddress'),
        KILL_HORIZON_URL: hz.url,
        KILL_BUNDLE: inject('workflowBundlePath'),
        KILL_TASK_QUEUE: queue,
        KILL_REF: 'killed',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      void exited.then((code) => reject(new Error(`kill worker exited early (${code})`)));
    });
    const handle = await temporal.client.workflow.start(sendPaymentWorkflow, {
      taskQueue: queue,
      workflowId: 'pay-killed',
      args: [pay('killed', '6'), { attemptTimeout: '5 seconds' }],
    });
    expect(await exited).toBe(137);
    expect(await balance()).toBe(addAmount(before, '6')); // on the ledger already, not recorded
    expect((await findEnvelope(tdb.db, 'killed'))?.status).toBe('prepared');
    const rescue = await startTestWorker({ config, db: tdb.db, horizon: hz.server }, { taskQueue: queue });
    try {
      const result = await handle.result();
      expect(await findEnvelope(tdb.db, 'killed')).toMatchObject({
        status: 'succeeded',
        hash: result.hash,
        attempt: 1,
      });
    } finally {
      await rescue.stop();
    }
    expect(await balance()).toBe(addAmount(before, '6'));
  });

  it('a stored envelope that expired unsubmitted is rebuilt (new hash), and pays once', async () => {
    const before = await balance();
    hooks.beforeSubmit = (ref) => {
      if (ref === 'expired') throw new Error('stuck before submit');
    };
    await expect(acts.sendPayment(pay('expired', '4'))).rejects.toThrow(/stuck/);
    hooks.beforeSubmit = undefined;
    const stale = (await findEnvelope(tdb.db, 'expired'))!;
    await waitForLedgerAfter(stale.max_time);
    const result = await acts.sendPayment(pay('expired', '4'));
    const row = (await findEnvelope(tdb.db, 'expired'))!;
    expect(row.attempt).toBe(2);
    expect(row.previous_hashes).toEqual([stale.hash]);
    expect(result.hash).not.toBe(stale.hash);
    expect(await balance()).toBe(addAmount(before, '4'));
  });

  it('a rebuilt createAccount / createClaimableBalance to an M... address names its base account, as the first envelope did (S24-24, S24-26)', async () => {
    const fresh = Keypair.random().publicKey();
    const claimant = Keypair.random();
    await hz.friendbot(claimant.publicKey());
    const stuck = new Set(['create-m', 'claim-m']);
    hooks.beforeSubmit = (ref) => {
      if (stuck.has(ref)) throw new Error('stuck before submit');
    };
    const create = { ref: 'create-m', destination: muxedAddress(fresh, '7'), startingBalance: '2.5' };
    const claim = {
      ref: 'claim-m',
      claimant: muxedAddress(claimant.publicKey(), '8'),
      asset: anchorAsset(config),
      amount: '3',
    };
    await expect(acts.createAccount(create)).rejects.toThrow(/stuck/);
    await expect(acts.createClaimableBalance(claim)).rejects.toThrow(/stuck/);
    hooks.beforeSubmit = undefined;
    const staleCreate = (await findEnvelope(tdb.db, 'create-m'))!;
    const staleClaim = (await findEnvelope(tdb.db, 'claim-m'))!;
    await waitForLedgerAfter(new Date(Math.max(+staleCreate.max_time, +staleClaim.max_time)));

    await acts.createAccount(create);
    const cb = await acts.createClaimableBalance(claim);
    expect((await findEnvelope(tdb.db, 'create-m'))?.attempt).toBe(2);
    expect((await findEnvelope(tdb.db, 'claim-m'))?.attempt).toBe(2);
    expect(await acts.getBalance(fresh, { code: 'native', issuer: null })).toBe('2.5000000');
    const balance = (await hz.server
      .claimableBalances()
      .claimableBalance(cb.balanceId)
      .call()) as unknown as {
      amount: string;
      claimants: { destination: string }[];
    };
    expect(balance.amount).toBe('3.0000000');
    expect(balance.claimants.map((c) => c.destination)).toEqual([claimant.publicKey()]);
  });

  it('answer lost AND the time bounds passed: the landed envelope is found, never rebuilt', async () => {
    const before = await balance();
    let dropped = 0;
    const id = hz.server.httpClient.interceptors.response.use((response) => {
      if (response.config?.method === 'post' && dropped === 0) {
        dropped++;
        throw new Error('connection reset (simulated)');
      }
      return response;
    });
    await expect(acts.sendPayment(pay('lost-expired', '5'))).rejects.toThrow(/outcome unknown/);
    hz.server.httpClient.interceptors.response.eject(id);
    const row = (await findEnvelope(tdb.db, 'lost-expired'))!;
    await waitForLedgerAfter(row.max_time);
    const result = await acts.sendPayment(pay('lost-expired', '5'));
    expect(result.hash).toBe(row.hash);
    expect((await findEnvelope(tdb.db, 'lost-expired'))?.attempt).toBe(1);
    expect(await balance()).toBe(addAmount(before, '5'));
  });

  it('no trust line → non-retryable StellarNoTrust; once trusted, the same ref pays (once)', async () => {
    const stranger = Keypair.random();
    await hz.friendbot(stranger.publicKey());
    const request = { ...pay('no-trust', '1'), destination: stranger.publicKey() };
    const err = await acts.sendPayment(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(StellarFailure.NoTrust);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    await trust(stranger);
    await acts.sendPayment(request);
    await acts.sendPayment(request);
    expect(await balance(stranger.publicKey())).toBe('1.0000000');
  });

  it('through a workflow, a named failure ends the workflow without retries (StellarNoDestination)', async () => {
    const nobody = Keypair.random().publicKey();
    const err = await temporal.client.workflow
      .execute(sendPaymentWorkflow, {
        taskQueue: temporal.taskQueue,
        workflowId: 'pay-nobody',
        args: [{ ...pay('nobody', '1'), destination: nobody }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as ApplicationFailure;
    expect(cause.type).toBe(StellarFailure.NoDestination);
  });

  it('pays a muxed M... destination and a G... with a memo; rejects a bad amount up front', async () => {
    const m = muxedAddress(customer.publicKey(), '12345');
    const before = await balance();
    const viaMuxed = await acts.sendPayment({ ...pay('muxed', '0.0000001'), destination: m });
    const withMemo = await acts.sendPayment({ ...pay('memo', '1'), memo: { type: 'text', value: 'hello' } });
    const tx = await hz.server.transactions().transaction(withMemo.hash).call();
    expect(tx.memo).toBe('hello');
    expect(viaMuxed.ledger).toBeGreaterThan(0);
    expect(await balance()).toBe(addAmount(before, '1.0000001'));
    const bad = await acts.sendPayment({ ...pay('bad', '1.00000001') }).catch((e: unknown) => e);
    expect((bad as ApplicationFailure).type).toBe(StellarFailure.InvalidRequest);
  });

  it('createAccount and createClaimableBalance are idempotent by ref too (S24-24, S24-26)', async () => {
    const fresh = Keypair.random().publicKey();
    expect(await acts.accountExists(fresh)).toBe(false);
    await acts.createAccount({ ref: 'create', destination: fresh, startingBalance: '2.01' });
    await acts.createAccount({ ref: 'create', destination: fresh, startingBalance: '2.01' });
    expect(await acts.getBalance(fresh, { code: 'native', issuer: null })).toBe('2.0100000');
    expect(await acts.hasTrustline(fresh, anchorAsset(config))).toBe(false);
    const cb = await acts.createClaimableBalance({
      ref: 'claimable',
      claimant: fresh,
      asset: anchorAsset(config),
      amount: '7',
    });
    const again = await acts.createClaimableBalance({
      ref: 'claimable',
      claimant: fresh,
      asset: anchorAsset(config),
      amount: '7',
    });
    expect(again).toEqual(cb);
    expect(cb.balanceId).toMatch(/^[0-9a-f]{72}$/);
  });

  it('a batch of payments is one transaction, idempotent by batch ref; a payment ref cannot join two batches', async () => {
    const others = [Keypair.random(), Keypair.random()];
    for (const k of others) {
      await hz.friendbot(k.publicKey());
      await trust(k);
    }
    const payments = [
      { ...pay('b-1', '1'), destination: others[0]!.publicKey() },
      { ...pay('b-2', '2'), destination: others[1]!.publicKey() },
      { ...pay('b-3', '3'), destination: muxedAddress(others[1]!.publicKey(), '9') },
    ];
    let crashes = 0;
    hooks.afterSubmit = (ref) => {
      if (ref === 'batch-1' && crashes++ === 0) throw new Error('crash after the batch landed');
    };
    await expect(acts.sendPaymentBatch({ batchRef: 'batch-1', payments })).rejects.toThrow(/crash/);
    hooks.afterSubmit = undefined;
    const first = await acts.sendPaymentBatch({ batchRef: 'batch-1', payments });
    const again = await acts.sendPaymentBatch({ batchRef: 'batch-1', payments });
    expect(again).toEqual(first);
    expect(first.refs).toEqual(['b-1', 'b-2', 'b-3']);
    const tx = await hz.server.transactions().transaction(first.hash).call();
    expect(tx.operation_count).toBe(3);
    expect(await balance(others[0]!.publicKey())).toBe('1.0000000');
    expect(await balance(others[1]!.publicKey())).toBe('5.0000000');
    const dup = await acts
      .sendPaymentBatch({ batchRef: 'batch-2', payments: [payments[0]!] })
      .catch((e: unknown) => e);
    expect((dup as ApplicationFailure).type).toBe(StellarFailure.DuplicateRef);
    const memoInBatch = await acts
      .sendPaymentBatch({
        batchRef: 'batch-3',
        payments: [{ ...pay('b-4'), memo: { type: 'id', value: '1' } }],
      })
      .catch((e: unknown) => e);
    expect((memoInBatch as ApplicationFailure).type).toBe(StellarFailure.InvalidRequest);
  });

  it('pays through a leased channel account, from an explicit source, and past a channel missing on the ledger', async () => {
    const before = await balance();
    const viaChannel = await acts.sendPayment(pay('via-channel', '1'));
    const row = (await findEnvelope(tdb.db, 'via-channel'))!;
    expect(config.payments.channelAccounts).toContain(row.source);
    const tx = await hz.server.transactions().transaction(viaChannel.hash).call();
    expect(tx.source_account).toBe(row.source); // the channel pays the fee; the distribution account pays the asset

    await acts.sendPayment({ ...pay('explicit-source', '1'), source: config.stellar.distributionAccount });
    expect((await findEnvelope(tdb.db, 'explicit-source'))?.source).toBe(config.stellar.distributionAccount);

    const ghost = Keypair.random().secret(); // configured, never created on the ledger
    const ghostConfig: AppConfig = {
      ...config,
      payments: {
        ...config.payments,
        channelSecrets: [ghost],
        channelAccounts: [Keypair.fromSecret(ghost).publicKey()],
      },
    };
    const ghostActs = createStellarActivities({ config: ghostConfig, db: tdb.db, horizon: hz.server });
    await ghostActs.sendPayment(pay('ghost-channel', '1'));
    expect((await findEnvelope(tdb.db, 'ghost-channel'))?.source).toBe(config.stellar.distributionAccount);
    expect(await balance()).toBe(addAmount(before, '3'));
  });

  async function waitForLedgerAfter(when: Date): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const latest = await hz.server.ledgers().order('desc').limit(1).call();
      const closedAt = latest.records[0]?.closed_at;
      if (closedAt && Date.parse(closedAt) > when.getTime()) return;
      if (Date.now() > deadline) throw new Error('no ledger closed after the time bound');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
});

function addAmount(a: string, b: string): string {
  return formatFixed7(parseAmount(a) + parseAmount(b));
}

import { Asset, Keypair, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStellarActivities,
  PAYOUT_BATCH_PREFIX,
  type PaymentRequest,
  type StellarActivityHooks,
  StellarFailure,
} from '../../activities/stellar.js';
import type { AppConfig } from '../../config/index.js';
import { findEnvelope, findPayment } from '../../db/stellar-payments.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { anchorAsset } from '../../stellar/assets.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon, trustAsset } from '../helpers/horizon.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { sendPaymentWorkflow } from './probes/send-payment.js';

/**
 * Deposit payouts share transactions (issue 16, item 4: "deposit payouts batched too"): sendPayment with
 * `batch: true` gathers the payouts one worker is asked for within PAYOUT_BATCH_WINDOW_MS into one envelope.
 * Each payment still lands exactly once, proven on the ledger: each destination's balance and each operation of
 * each transaction, not a sum. A payment that fails does not hold the others back.
 */
describe('payout batches: many deposit payouts in one transaction, each exactly once (issue 16)', () => {
  let hz: SandboxHorizonHandle;
  let tdb: TestDb;
  let config: AppConfig;
  let temporal: TestTemporal;
  const hooks: StellarActivityHooks = {};
  let acts: ReturnType<typeof createStellarActivities>;
  let run = 0;

  const trust = (kp: Keypair) =>
    trustAsset(hz, kp, { code: config.stellar.assetCode, issuer: config.stellar.issuerAccount });

  /** `n` funded accounts; all but the ones in `untrusted` hold a trust line to the anchor's asset. */
  async function accounts(n: number, untrusted: number[] = []): Promise<Keypair[]> {
    const kps = Array.from({ length: n }, () => Keypair.random());
    await Promise.all(
      kps.map(async (kp, i) => {
        await hz.friendbot(kp.publicKey());
        if (!untrusted.includes(i)) await trust(kp);
      }),
    );
    return kps;
  }

  const balance = (account: string) => acts.getBalance(account, anchorAsset(config));

  /** Payout i of this test: a distinct amount per destination, so a swap or a double shows. */
  function payouts(kps: Keypair[]): PaymentRequest[] {
    run++;
    return kps.map((kp, i) => ({
      ref: `deposit-r${run}-${i}`,
      destination: kp.publicKey(),
      asset: anchorAsset(config),
      amount: `${i + 1}.${String(run).padStart(7, '0')}`,
      batch: true,
    }));
  }

  /** Every operation of the transactions `hashes`, as destination → amounts paid to it. */
  async function paidOnLedger(hashes: Iterable<string>): Promise<Map<string, string[]>> {
    const paid = new Map<string, string[]>();
    for (const hash of new Set(hashes)) {
      const ops = await hz.server.operations().forTransaction(hash).limit(200).call();
      for (const op of ops.records as unknown as { type: string; to: string; amount: string }[]) {
        expect(op.type).toBe('payment');
        paid.set(op.to, [...(paid.get(op.to) ?? []), op.amount]);
      }
    }
    return paid;
  }

  function expectEachPaidOnce(paid: Map<string, string[]>, requests: PaymentRequest[]) {
    for (const r of requests) expect(paid.get(r.destination), r.ref).toEqual([Number(r.amount).toFixed(7)]);
  }

  beforeAll(async () => {
    hz = await startSandboxHorizon({ ledgerCloseMs: 200 });
    tdb = await createTestDb('batches');
    config = testConfig({
      HORIZON_URL: hz.url,
      STELLAR_TX_TIMEOUT_SECONDS: '5',
      PAYOUT_BATCH_WINDOW_MS: '150',
    });
    await setupSandboxAccounts(config, { horizon: hz.server });
    acts = createStellarActivities({ config, db: tdb.db, horizon: hz.server, stellarHooks: hooks });
    temporal = await startTestWorker({ config, db: tdb.db, horizon: hz.server, stellarHooks: hooks });
  });
  afterAll(async () => {
    await temporal?.stop();
    await tdb?.destroy();
    await hz?.stop();
  });

  it('payouts asked for together go out in one transaction; each destination gets its amount once', async () => {
    const kps = await accounts(12);
    const requests = payouts(kps);
    const results = await Promise.all(requests.map((r) => acts.sendPayment(r)));
    const hashes = new Set(results.map((r) => r.hash));
    expect(hashes.size).toBe(1);
    const [hash] = hashes;
    const tx = await hz.server.transactions().transaction(hash!).call();
    expect(tx.operation_count).toBe(12);
    expectEachPaidOnce(await paidOnLedger(hashes), requests);
    for (const [i, kp] of kps.entries())
      expect(await balance(kp.publicKey())).toBe(Number(requests[i]!.amount).toFixed(7));
    // Each payment keeps its own ref, bound to the one batch envelope; asking again answers from it.
    const row = await findPayment(tdb.db, requests[0]!.ref);
    expect(row?.envelope_ref.startsWith(PAYOUT_BATCH_PREFIX)).toBe(true);
    expect((await findEnvelope(tdb.db, row!.envelope_ref))?.status).toBe('succeeded');
    expect(await acts.sendPayment(requests[5]!)).toEqual(results[5]);
    expect(await balance(kps[5]!.publicKey())).toBe(Number(requests[5]!.amount).toFixed(7));
  });

  it('more than 100 payouts at once fill transactions of 100 operations', async () => {
    const kps = await accounts(5);
    // 130 payouts to 5 accounts: muxed ids would hide doubles in one balance, so each amount is distinct and
    // the ledger's operations are compared one by one.
    run++;
    const requests: PaymentRequest[] = Array.from({ length: 130 }, (_, i) => ({
      ref: `deposit-many-${i}`,
      destination: kps[i % 5]!.publicKey(),
      asset: anchorAsset(config),
      amount: `0.${String(i + 1).padStart(7, '0')}`,
      batch: true,
    }));
    const results = await Promise.all(requests.map((r) => acts.sendPayment(r)));
    const counts = new Map<string, number>();
    for (const r of results) counts.set(r.hash, (counts.get(r.hash) ?? 0) + 1);
    expect([...counts.values()].sort((a, b) => b - a)[0]).toBe(100);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(130);
    const paid = await paidOnLedger(counts.keys());
    for (const [i, kp] of kps.entries()) {
      const expected = requests
        .filter((_, j) => j % 5 === i)
        .map((r) => r.amount)
        .sort();
      expect([...(paid.get(kp.publicKey()) ?? [])].sort()).toEqual(expected);
    }
  });

  it('a payout that fails (no trust line) fails alone with its own type; the rest of its batch is paid', async () => {
    const kps = await accounts(6, [2]);
    const requests = payouts(kps);
    const outcomes = await Promise.allSettled(requests.map((r) => acts.sendPayment(r)));
    const failed = outcomes[2]!;
    expect(failed.status).toBe('rejected');
    const err = (failed as PromiseRejectedResult).reason as ApplicationFailure;
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err.type).toBe(StellarFailure.NoTrust);
    expect(err.nonRetryable).toBe(true);
    const fine = outcomes.filter((_, i) => i !== 2);
    expect(fine.every((o) => o.status === 'fulfilled')).toBe(true);
    const hashes = fine.map((o) => (o as PromiseFulfilledResult<{ hash: string }>).value.hash);
    expectEachPaidOnce(
      await paidOnLedger(hashes),
      requests.filter((_, i) => i !== 2),
    );
    expect(await balance(kps[2]!.publicKey())).toBe('0.0000000');
    // The failed batch let go of its payments: none is left bound to it, so asking it again can pay nobody.
    const failedBatch = await tdb.db
      .selectFrom('stellar_envelopes')
      .selectAll()
      .where('ref', 'like', `${PAYOUT_BATCH_PREFIX}%`)
      .where('status', '=', 'failed')
      .execute();
    expect(failedBatch.length).toBeGreaterThanOrEqual(1);
    const stillBound = await sql<{ n: number }>`
      select count(*)::int as n from stellar_payments where envelope_ref in (${sql.join(failedBatch.map((b) => b.ref))})`.execute(
      tdb.db,
    );
    expect(stillBound.rows[0]?.n).toBe(0);
    // Once trusted, the same ref pays, once.
    await trust(kps[2]!);
    const paid = await acts.sendPayment(requests[2]!);
    expect(await acts.sendPayment(requests[2]!)).toEqual(paid);
    expect(await balance(kps[2]!.publicKey())).toBe(Number(requests[2]!.amount).toFixed(7));
    for (const [i, kp] of kps.entries()) {
      expect(await balance(kp.publicKey())).toBe(Number(requests[i]!.amount).toFixed(7));
    }
  });

  it('a crash before submit, and a lost answer after the ledger: Temporal retries, each payout lands once', async () => {
    const kps = await accounts(8);
    const requests = payouts(kps);
    let beforeCrashes = 0;
    let afterCrashes = 0;
    hooks.beforeSubmit = (ref) => {
      if (ref.startsWith(PAYOUT_BATCH_PREFIX) && beforeCrashes++ === 0)
        throw new Error('worker died before submit');
    };
    hooks.afterSubmit = (ref) => {
      if (ref.startsWith(PAYOUT_BATCH_PREFIX) && afterCrashes++ === 0)
        throw new Error('answer lost after the ledger');
    };
    try {
      const results = await Promise.all(
        requests.map((r) =>
          temporal.client.workflow.execute(sendPaymentWorkflow, {
            taskQueue: temporal.taskQueue,
            workflowId: `batch-${r.ref}`,
            args: [r],
          }),
        ),
      );
      expect(beforeCrashes).toBeGreaterThanOrEqual(2);
      expect(afterCrashes).toBeGreaterThanOrEqual(1);
      expect(new Set(results.map((r) => r.hash)).size).toBeLessThan(requests.length);
      expectEachPaidOnce(await paidOnLedger(results.map((r) => r.hash)), requests);
      for (const [i, kp] of kps.entries()) {
        expect(await balance(kp.publicKey())).toBe(Number(requests[i]!.amount).toFixed(7));
      }
    } finally {
      hooks.beforeSubmit = undefined;
      hooks.afterSubmit = undefined;
    }
  });

  it('the same payout asked twice at once is one payment', async () => {
    const [kp] = await accounts(1);
    const [request] = payouts([kp!]);
    const [a, b] = await Promise.all([acts.sendPayment(request!), acts.sendPayment(request!)]);
    expect(b).toEqual(a);
    expect(await balance(kp!.publicKey())).toBe(Number(request!.amount).toFixed(7));
  });

  it('a payout with a memo goes alone (the memo is the transaction’s); a window of 0 sends each alone', async () => {
    const kps = await accounts(3);
    const [withMemo, plain, unbatched] = payouts(kps);
    const memoResult = await acts.sendPayment({ ...withMemo!, memo: { type: 'id', value: '42' } });
    expect((await findPayment(tdb.db, withMemo!.ref))?.envelope_ref).toBe(withMemo!.ref);
    expect((await hz.server.transactions().transaction(memoResult.hash).call()).memo).toBe('42');
    const off = createStellarActivities({
      config: testConfig({ HORIZON_URL: hz.url, PAYOUT_BATCH_WINDOW_MS: '0' }),
      db: tdb.db,
      horizon: hz.server,
    });
    const [a, b] = await Promise.all([off.sendPayment(plain!), off.sendPayment(unbatched!)]);
    expect(a.hash).not.toBe(b.hash);
    expect((await findPayment(tdb.db, plain!.ref))?.envelope_ref).toBe(plain!.ref);
    for (const [i, kp] of kps.entries()) {
      const r = [withMemo, plain, unbatched][i]!;
      expect(await balance(kp.publicKey())).toBe(Number(r.amount).toFixed(7));
    }
  });
  it('a batch refused for good (its channel cannot pay the fee) lets go of every payment: one retried later pays only itself', async () => {
    // A channel account with exactly its minimum balance: any fee leaves it short (tx_insufficient_balance).
    const poor = Keypair.random();
    const root = await hz.server.loadAccount(hz.rootKeypair.publicKey());
    const create = new TransactionBuilder(root, { fee: '100', networkPassphrase: hz.passphrase })
      .addOperation(Operation.createAccount({ destination: poor.publicKey(), startingBalance: '1' }))
      .setTimeout(60)
      .build();
    create.sign(hz.rootKeypair);
    await hz.server.submitTransaction(create);
    const onPoor = createStellarActivities({
      config: testConfig({
        HORIZON_URL: hz.url,
        STELLAR_TX_TIMEOUT_SECONDS: '5',
        PAYOUT_BATCH_WINDOW_MS: '150',
        CHANNEL_SECRETS: poor.secret(),
      }),
      db: tdb.db,
      horizon: hz.server,
    });
    const kps = await accounts(2);
    const [a, b] = payouts(kps);
    const outcomes = await Promise.allSettled([onPoor.sendPayment(a!), onPoor.sendPayment(b!)]);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect(((o as PromiseRejectedResult).reason as ApplicationFailure).type).toBe(
        StellarFailure.FeeUnderfunded,
      );
    }
    // The batch is recorded as failed and holds no payment any more.
    const [failed] = await tdb.db
      .selectFrom('stellar_envelopes')
      .selectAll()
      .where('source', '=', poor.publicKey())
      .execute();
    expect(failed?.ref.startsWith(PAYOUT_BATCH_PREFIX)).toBe(true);
    expect(failed?.status).toBe('failed');
    expect(await findPayment(tdb.db, a!.ref)).toBeUndefined();
    expect(await findPayment(tdb.db, b!.ref)).toBeUndefined();
    // The channel is funded now; asking again for a alone pays a alone — b (whose deposit may have been refunded
    // meanwhile) is not paid by driving the old batch.
    const rootNow = await hz.server.loadAccount(hz.rootKeypair.publicKey());
    const fund = new TransactionBuilder(rootNow, { fee: '100', networkPassphrase: hz.passphrase })
      .addOperation(Operation.payment({ destination: poor.publicKey(), asset: Asset.native(), amount: '10' }))
      .setTimeout(60)
      .build();
    fund.sign(hz.rootKeypair);
    await hz.server.submitTransaction(fund);
    const paid = await onPoor.sendPayment(a!);
    expect((await hz.server.transactions().transaction(paid.hash).call()).operation_count).toBe(1);
    expect(await balance(kps[0]!.publicKey())).toBe(Number(a!.amount).toFixed(7));
    expect(await balance(kps[1]!.publicKey())).toBe('0.0000000');
    expect((await findEnvelope(tdb.db, failed!.ref))?.status).toBe('failed');
  });
});

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { whileHeartbeating } from '../../activities/heartbeat.js';
import { createStellarActivities, type StellarActivityHooks } from '../../activities/stellar.js';
import type { AppConfig } from '../../config/index.js';
import { findEnvelope } from '../../db/stellar-payments.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { DEPOSIT_PAYOUTS, WITHDRAWAL_MONEY } from '../../workflows/activity-options.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { startTestWorker } from '../helpers/temporal.js';
import { sendPaymentWorkflow } from './probes/send-payment.js';

/** Resolves once `env` has emitted `n` heartbeats (counted from the call). */
function heartbeats(env: MockActivityEnvironment, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const on = () => {
      if (++seen >= n) {
        env.off('heartbeat', on);
        resolve();
      }
    };
    env.on('heartbeat', on);
  });
}

/**
 * Issue 15 item 5: payout and payment activities heartbeat while they wait, so a worker lost mid-payout is noticed
 * within the preset's heartbeatTimeout (seconds) and the attempt retried elsewhere, not after startToCloseTimeout.
 */
describe('payout and payment activities heartbeat (issue 15)', () => {
  it('the money presets carry a heartbeatTimeout of at most 10 s', () => {
    for (const preset of [DEPOSIT_PAYOUTS, WITHDRAWAL_MONEY]) {
      expect(preset.heartbeatTimeout).toBe('10 seconds');
    }
  });

  it('whileHeartbeating heartbeats repeatedly while the work waits, and returns its result', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    let count = 0;
    env.on('heartbeat', () => count++);
    const result = await env.run(() =>
      whileHeartbeating(async () => {
        await heartbeats(env, 3); // only a running timer gets here: the work never heartbeats itself
        return 'paid';
      }),
    );
    expect(result).toBe('paid');
    expect(count).toBeGreaterThanOrEqual(3);
  });

  it('whileHeartbeating stops its timer when the work fails, and rethrows', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    await expect(
      env.run(() =>
        whileHeartbeating(async () => {
          await heartbeats(env, 2);
          throw new Error('bank down');
        }),
      ),
    ).rejects.toThrow('bank down');
  });

  it('outside an activity (a direct call) it just runs the work', async () => {
    await expect(whileHeartbeating(async () => 42)).resolves.toBe(42);
  });

  describe('sendPayment against the sandbox ledger', () => {
    let hz: SandboxHorizonHandle;
    let tdb: TestDb;
    let config: AppConfig;
    const hooks: StellarActivityHooks = {};
    let acts: ReturnType<typeof createStellarActivities>;

    beforeAll(async () => {
      hz = await startSandboxHorizon({ ledgerCloseMs: 200 });
      tdb = await createTestDb('heartbeat');
      config = testConfig({ HORIZON_URL: hz.url, STELLAR_TX_TIMEOUT_SECONDS: '5' });
      await setupSandboxAccounts(config, { horizon: hz.server });
      acts = createStellarActivities({ config, db: tdb.db, horizon: hz.server, stellarHooks: hooks });
    });
    afterAll(async () => {
      await tdb?.destroy();
      await hz?.stop();
    });

    it('keeps heartbeating while a payment waits before submission, then pays once', async () => {
      const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 600 });
      const dest = Keypair.random();
      await hz.friendbot(dest.publicKey());
      let waited = 0;
      hooks.beforeSubmit = async (ref) => {
        if (ref !== 'hb-pay') return;
        waited++;
        await heartbeats(env, 3); // a stall (slow Horizon, lock) is covered by heartbeats, not by the timeout
      };
      try {
        const result: { hash: string } = await env.run(acts.sendPayment, {
          ref: 'hb-pay',
          destination: dest.publicKey(),
          asset: { code: 'native', issuer: null },
          amount: '2',
        });
        expect(waited).toBe(1);
        expect(await findEnvelope(tdb.db, 'hb-pay')).toMatchObject({
          status: 'succeeded',
          hash: result.hash,
        });
      } finally {
        hooks.beforeSubmit = undefined;
      }
    });

    it('a worker killed mid-payment is noticed by its missed heartbeats and the payment retried within seconds', async () => {
      const dest = Keypair.random();
      await hz.friendbot(dest.publicKey());
      const queue = `hb-kill-${randomUUID()}`;
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/workflow/payment-kill-worker.ts'], {
        env: {
          ...process.env,
          KILL_DATABASE_URL: tdb.url,
          KILL_SCHEMA: tdb.schema,
          KILL_TEMPORAL_ADDRESS: inject('temporalAddress'),
          KILL_HORIZON_URL: hz.url,
          KILL_BUNDLE: inject('workflowBundlePath'),
          KILL_TASK_QUEUE: queue,
          KILL_REF: 'hb-killed',
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
      const connection = await Connection.connect({ address: inject('temporalAddress') });
      const client = new Client({ connection, namespace: 'default' });
      try {
        // A 2-minute attempt timeout: only the 3 s heartbeat timeout can get the attempt retried quickly.
        const handle = await client.workflow.start(sendPaymentWorkflow, {
          taskQueue: queue,
          workflowId: `pay-hb-killed-${randomUUID()}`,
          args: [
            {
              ref: 'hb-killed',
              destination: dest.publicKey(),
              asset: { code: 'native', issuer: null },
              amount: '3',
            },
            { attemptTimeout: '2 minutes', heartbeatTimeout: '3 seconds' },
          ],
        });
        expect(await exited).toBe(137); // died with the payment on the ledger, unrecorded
        const killedAt = Date.now();
        const rescue = await startTestWorker(
          { config, db: tdb.db, horizon: hz.server },
          { taskQueue: queue },
        );
        try {
          const result = await handle.result();
          expect(Date.now() - killedAt).toBeLessThan(30_000); // far below the 2-minute attempt timeout
          expect(await findEnvelope(tdb.db, 'hb-killed')).toMatchObject({
            status: 'succeeded',
            hash: result.hash,
          });
        } finally {
          await rescue.stop();
        }
        const history = await handle.fetchHistory();
        const started = history.events?.find(
          (e) => e.activityTaskStartedEventAttributes,
        )?.activityTaskStartedEventAttributes;
        expect(started?.attempt).toBeGreaterThanOrEqual(2);
        // TIMEOUT_TYPE_HEARTBEAT = 4 in temporal.api.enums.v1.TimeoutType
        expect(started?.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(4);
      } finally {
        await connection.close();
      }
    });
  });
});

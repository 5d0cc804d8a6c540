import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKycActivities } from '../../activities/kyc.js';
import {
  jsonPut,
  type KycHarness,
  newAccount,
  startKycHarness,
  tier1Fields,
  waitFor,
} from '../api/sep12.helpers.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb } from '../helpers/db.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { kycGateWorkflow } from './probes/kyc-gate.js';

/**
 * waitForKyc on the real Temporal dev server: the workflow registers as a waiter, the real sandbox KYC
 * provider answers by webhook to our endpoint (served over HTTP), and the webhook signals the workflow.
 */
describe('KYC gate workflow (real Temporal, real sandbox KYC provider, real webhook)', () => {
  let temporal: TestTemporal;
  let h: KycHarness;

  beforeAll(async () => {
    const tdb = await createTestDb('kycwf');
    const config = testConfig();
    // Only the KYC activities: this test does not depend on the other families' dependencies.
    temporal = await startTestWorker(
      { config, db: tdb.db },
      { activities: createKycActivities({ config, db: tdb.db }) },
    );
    h = await startKycHarness({ temporal: temporal.client, delayMs: 200, tdb });
  });
  afterAll(async () => {
    await h?.close();
    await temporal?.stop();
  });

  const start = (account: string, memo: string | null, tier: number, timeoutSeconds = 120) =>
    temporal.client.workflow.start(kycGateWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId: `kyc-gate-${randomBytes(6).toString('hex')}`,
      args: [{ account, memo, tier, timeoutSeconds }],
    });

  const waiterRegistered = (workflowId: string) =>
    waitFor(
      async () =>
        (await h.tdb.db
          .selectFrom('kyc_waiters')
          .select('workflow_id')
          .where('workflow_id', '=', workflowId)
          .executeTakeFirst()) !== undefined,
      30_000,
      'waiter row',
    );

  it('is released by the kycStatus signal when the sandbox provider approves', async () => {
    const account = newAccount();
    const handle = await start(account, '9', 1);
    await waiterRegistered(handle.workflowId);
    const token = await h.token(`${account}:9`);
    const put = await h.app.request('/kyc/customer', jsonPut(token, tier1Fields('Doe')));
    expect(put.status).toBe(202);
    const result = await handle.result();
    expect(result.kyc).toBe('ACCEPTED');
    // It woke on the signal (not on the registration answer)
    expect(result.changes).toContain('ACCEPTED');
    // The webhook unregistered the waiter after the final answer
    await waitFor(
      async () =>
        (await h.tdb.db
          .selectFrom('kyc_waiters')
          .select('workflow_id')
          .where('workflow_id', '=', handle.workflowId)
          .executeTakeFirst()) === undefined,
      10_000,
      'waiter removed',
    );
  });

  it('fails cleanly with a non-retryable KycRejected when the provider rejects', async () => {
    const account = newAccount();
    const handle = await start(account, null, 1);
    await waiterRegistered(handle.workflowId);
    const token = await h.token(account);
    await h.app.request('/kyc/customer', jsonPut(token, tier1Fields('Reject')));
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('KycRejected');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('keeps waiting through NEEDS_INFO and is released once the corrected data is approved', async () => {
    const account = newAccount();
    const handle = await start(account, null, 1);
    await waiterRegistered(handle.workflowId);
    const token = await h.token(account);
    await h.app.request('/kyc/customer', jsonPut(token, tier1Fields('Moreinfo')));
    await waitFor(
      async () =>
        (
          await h.tdb.db
            .selectFrom('customers')
            .select('status')
            .where('account', '=', account)
            .executeTakeFirst()
        )?.status === 'NEEDS_INFO' &&
        (
          await h.tdb.db
            .selectFrom('kyc_checks')
            .select('status')
            .where('status', '=', 'needs_info')
            .execute()
        ).length > 0,
      20_000,
      'needs info',
    );
    await h.app.request('/kyc/customer', jsonPut(token, { last_name: 'Doe' }));
    const result = await handle.result();
    expect(result.kyc).toBe('ACCEPTED');
    expect(result.changes).toEqual(expect.arrayContaining(['NEEDS_INFO', 'ACCEPTED']));
  });

  it('returns at once for a customer already accepted for the tier (never asked again)', async () => {
    const account = newAccount();
    const token = await h.token(account);
    await h.app.request('/kyc/customer', jsonPut(token, tier1Fields()));
    await waitFor(
      async () =>
        (
          await h.tdb.db
            .selectFrom('customers')
            .select('accepted_tier')
            .where('account', '=', account)
            .executeTakeFirst()
        )?.accepted_tier === 1,
      20_000,
      'accepted',
    );
    const handle = await start(account, null, 1);
    expect(await handle.result()).toEqual({ kyc: 'ACCEPTED', changes: [] });
  });

  it('times out with KycTimeout when no verdict comes', async () => {
    const handle = await start(newAccount(), null, 1, 1);
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('KycTimeout');
  });
});

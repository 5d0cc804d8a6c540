import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankTransferReceivedSignal } from '../../workflows/messages.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { bankSignalsSeenQuery } from './probes/messages.js';

/**
 * Issue 16 item 6: the worker's workflow cache is bounded by WORKER_MAX_CACHED_WORKFLOWS, so its memory does not
 * grow with the number of open transfers; a workflow evicted from the cache still answers (it is replayed).
 */
describe('WORKER_MAX_CACHED_WORKFLOWS', () => {
  let tdb: TestDb;
  let temporal: TestTemporal;
  const ids = Array.from({ length: 6 }, () => `cache-probe-${randomBytes(5).toString('hex')}`);

  beforeAll(async () => {
    tdb = await createTestDb('wcache');
    temporal = await startTestWorker(
      { config: testConfig({ WORKER_MAX_CACHED_WORKFLOWS: '2' }), db: tdb.db },
      { activities: {} },
    );
  });
  afterAll(async () => {
    await Promise.all(
      ids.map((id) =>
        temporal?.client.workflow
          .getHandle(id)
          .terminate()
          .catch(() => {}),
      ),
    );
    await temporal?.stop();
    await tdb?.destroy();
  });

  it('defaults to 1000 and is passed to the worker', () => {
    expect(testConfig().temporal.maxCachedWorkflows).toBe(1000);
    expect(temporal.worker.options.maxCachedWorkflows).toBe(2);
  });

  it('keeps at most that many of 6 open workflows cached, and an evicted one still takes signals and queries', async () => {
    for (const id of ids) {
      const h = await temporal.client.workflow.start('bankSignalProbeWorkflow', {
        taskQueue: temporal.taskQueue,
        workflowId: id,
      });
      // Each is running (its first task done) before the next starts.
      expect(await h.query(bankSignalsSeenQuery)).toEqual([]);
    }
    expect(temporal.worker.getStatus().numCachedWorkflows).toBeLessThanOrEqual(2);
    const first = temporal.client.workflow.getHandle(ids[0]!);
    await first.signal(bankTransferReceivedSignal, {
      bankTransferId: 't1',
      reference: 'r',
      amount: '1',
      currency: 'USD',
      from: '****1',
      receivedAt: new Date(0).toISOString(),
    });
    expect(await first.query(bankSignalsSeenQuery)).toHaveLength(1);
    expect(temporal.worker.getStatus().numCachedWorkflows).toBeLessThanOrEqual(2);
  });
});

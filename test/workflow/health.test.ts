import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthPingWorkflow } from '../../workflows/index.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';
import { historyRecorder } from './history-recorder.js';

describe('health ping workflow on the real Temporal dev server', () => {
  let tdb: TestDb;
  let temporal: TestTemporal;
  const recorder = historyRecorder('health');

  beforeAll(async () => {
    tdb = await createTestDb();
    temporal = await startTestWorker({ config: testConfig(), db: tdb.db });
  });
  afterAll(async () => {
    await recorder.save();
    await temporal?.stop();
    await tdb?.destroy();
  });

  it('runs workflow → activity → Postgres and returns the pong', async () => {
    const workflowId = `health-${Date.now()}`;
    const result = await temporal.client.workflow.execute(healthPingWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId,
    });
    recorder.track(temporal.client.workflow.getHandle(workflowId));
    expect(result.pong).toBe(true);
    expect(result.database).toBe('ok');
    expect(result.worker).toContain(String(process.pid));
  });

  it('rejects a second start with the same business id', async () => {
    const workflowId = `health-dup-${Date.now()}`;
    const first = await temporal.client.workflow.start(healthPingWorkflow, {
      taskQueue: temporal.taskQueue,
      workflowId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    await first.result();
    await expect(
      temporal.client.workflow.start(healthPingWorkflow, {
        taskQueue: temporal.taskQueue,
        workflowId,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    ).rejects.toThrow(/already/i);
  });
});

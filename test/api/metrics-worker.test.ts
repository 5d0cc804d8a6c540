import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRuntime } from '../../config/temporal.js';
import { freePort } from '../../scripts/lib/ports.js';
import { healthPingWorkflow } from '../../workflows/index.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestWorker, type TestTemporal } from '../helpers/temporal.js';

/**
 * Worker-side failure counters come from the Temporal SDK's own Prometheus exporter (WORKER_METRICS_ADDRESS): they
 * are per worker process, so each worker is scraped on its own port (docs/operations.md).
 */
describe('worker metrics: WORKER_METRICS_ADDRESS exports activity and workflow failures (issue 9)', () => {
  let tdb: TestDb;
  let temporal: TestTemporal;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/metrics`;
    const config = testConfig({ WORKER_METRICS_ADDRESS: `127.0.0.1:${port}` });
    // Must precede the first native connection of this process (startTestWorker's own call is then a no-op).
    installRuntime('WARN', config.ops.workerMetricsAddress);
    tdb = await createTestDb('wm');
    temporal = await startTestWorker(
      { config, db: tdb.db },
      {
        activities: {
          async healthPing() {
            throw ApplicationFailure.nonRetryable('bank is on fire', 'SimulatedFailure');
          },
        },
      },
    );
  });
  afterAll(async () => {
    await temporal?.stop();
    await tdb?.destroy();
  });

  it('counts the failed activity and the failed workflow by type', async () => {
    await expect(
      temporal.client.workflow.execute(healthPingWorkflow, {
        taskQueue: temporal.taskQueue,
        workflowId: `wm-${Date.now()}`,
      }),
    ).rejects.toThrow();
    const deadline = Date.now() + 30_000;
    let text = '';
    for (;;) {
      text = await (await fetch(url)).text();
      if (/temporal_workflow_failed_total\{[^}]*workflow_type="healthPingWorkflow"/.test(text)) break;
      if (Date.now() > deadline) throw new Error(`no workflow failure metric in:\n${text.slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toMatch(
      /temporal_activity_execution_failed_total\{[^}]*activity_type="healthPing"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(
      /temporal_workflow_failed_total\{[^}]*workflow_type="healthPingWorkflow"[^}]*\} [1-9]/,
    );
  });
});

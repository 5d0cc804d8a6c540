import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { transactionStatusQuery } from '../../workflows/messages.js';
import { registerSearchAttributes } from './search-attributes.js';

/**
 * Temporal's time-skipping test server (the binary test/setup/global.ts provides). With `searchAttributes`, the
 * anchor's custom search attributes are registered first (the server starts without them).
 */
export async function createTimeSkippingEnv(
  opts: { searchAttributes?: boolean } = {},
): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('timeSkippingServerPath') } },
  });
  if (opts.searchAttributes) await registerSearchAttributes(env.connection);
  return env;
}

/** A worker on `env` with the prebuilt workflow bundle and the given activities (not yet running). */
export function createBundleWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: object,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities,
  });
}

/** {@link createBundleWorker}, running; `stop()` shuts it down and waits for it. */
export async function startBundleWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: object,
): Promise<{ worker: Worker; stop(): Promise<void> }> {
  const worker = await createBundleWorker(env, taskQueue, activities);
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/** Polls the workflow's status query until it reads `status` (no sleeps standing in for the condition). */
export async function waitForStatus(
  handle: WorkflowHandle,
  status: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await handle.query(transactionStatusQuery);
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`status stayed ${last}, expected ${status}`);
}

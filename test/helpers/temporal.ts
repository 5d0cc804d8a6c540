import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { ActivityDeps } from '../../activities/index.js';
import { installRuntime } from '../../config/temporal.js';
import { createAnchorWorker } from '../../worker/index.js';

export interface TestTemporal {
  client: Client;
  taskQueue: string;
  worker: Worker;
  /** Resolves when the worker has stopped. */
  stop(): Promise<void>;
}

/**
 * A real worker on the shared test dev server, polling its own task queue, with the prebuilt workflow bundle.
 */
export async function startTestWorker(
  deps: ActivityDeps,
  opts: { activities?: object; taskQueue?: string } = {},
): Promise<TestTemporal> {
  const address = inject('temporalAddress');
  const taskQueue = opts.taskQueue ?? `test-${randomBytes(6).toString('hex')}`;
  installRuntime();
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createAnchorWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    deps,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    ...(opts.activities ? { activities: opts.activities } : {}),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  return {
    client,
    taskQueue,
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}

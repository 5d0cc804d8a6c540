// The worker entry the e2e stack runs: worker/main.ts with the workflow bundle the test setup already built
// (STACK_WORKFLOW_BUNDLE), so a worker restarted after SIGKILL polls again in seconds instead of re-running webpack.
import { loadConfigOrExit } from '../../../config/index.js';
import { createLogger } from '../../../config/logger.js';
import { connectTemporalClient, connectWorkerConnection } from '../../../config/temporal.js';
import { createDb } from '../../../db/index.js';
import { installNativeEd25519 } from '../../../stellar/native-ed25519.js';
import { ensureBankPollerSchedule } from '../../../worker/bank-poller-schedule.js';
import { createAnchorWorker } from '../../../worker/index.js';
import { startObservers } from '../../../worker/observers.js';

installNativeEd25519();
const config = loadConfigOrExit();
const log = createLogger('worker', config.logLevel);
const bundlePath = process.env.STACK_WORKFLOW_BUNDLE;
const db = createDb({ url: config.db.url, poolSize: config.db.poolSize });
const connection = await connectWorkerConnection(config);
const worker = await createAnchorWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  deps: { config, db },
  ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
});
{
  const client = await connectTemporalClient(config);
  try {
    // BANK_POLL_INTERVAL_SECONDS=0 in the stack: webhooks only. The top-up schedule (a fixed id shared by every
    // stack on the test server) is left out: it is not part of these flows.
    await ensureBankPollerSchedule(client, config, {
      scheduleId: `bank-poller-${config.temporal.taskQueue}`,
    });
    await startObservers(client, config);
  } finally {
    await client.connection.close();
  }
}
log.info({ taskQueue: config.temporal.taskQueue, pid: process.pid }, 'worker started');
const stop = () => worker.shutdown();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
try {
  await worker.run();
} finally {
  await connection.close();
  await db.destroy();
  log.info('worker stopped');
}

// Worker entry: `npm run worker`. SIGINT/SIGTERM drain the worker, then close connections.
import { loadConfigOrExit } from '../config/index.js';
import { loadDotEnv } from '../config/load-env.js';
import { createLogger } from '../config/logger.js';
import { onSupervisorGone } from '../config/shutdown.js';
import { connectTemporalClient, connectWorkerConnection } from '../config/temporal.js';
import { createDb } from '../db/index.js';
import { installNativeEd25519 } from '../stellar/native-ed25519.js';
import { ensureBankPollerSchedule } from './bank-poller-schedule.js';
import { createAnchorWorker, prebuiltWorkflowBundle } from './index.js';
import { startObservers } from './observers.js';
import { ensureTopUpSchedule } from './topup-schedule.js';

loadDotEnv();
installNativeEd25519(); // payments are signed with node:crypto instead of the SDK's pure-JS ed25519
const config = loadConfigOrExit();
const log = createLogger('worker', config.logLevel);
const db = createDb({
  url: config.db.url,
  poolSize: config.db.poolSize,
  onPoolError: (err) => log.warn({ err: err.message }, 'idle Postgres connection lost; the pool reconnects'),
});
const connection = await connectWorkerConnection(config);
// `npm run build`'s dist/workflow-bundle.js (or WORKFLOW_BUNDLE_PATH); from the sources, bundled at start.
const workflowBundle = prebuiltWorkflowBundle();
const worker = await createAnchorWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  deps: { config, db },
  ...(workflowBundle ? { workflowBundle } : {}),
});
log.info(
  {
    taskQueue: config.temporal.taskQueue,
    namespace: config.temporal.namespace,
    workflowBundle: workflowBundle?.codePath ?? 'bundled at start',
  },
  'worker started',
);
// Schedules the workers own: created or updated idempotently on every start.
{
  const client = await connectTemporalClient(config);
  try {
    await ensureBankPollerSchedule(client, config);
    await ensureTopUpSchedule(client, config);
    // One payment observer per receiving account (kept if already running).
    await startObservers(client, config);
  } finally {
    await client.connection.close();
  }
}
// Under `npm start`: the supervisor gone (even SIGKILLed) means shut down, as on SIGTERM.
onSupervisorGone(() => worker.shutdown());
try {
  await worker.run(); // resolves after a shutdown signal once in-flight work is drained
} finally {
  // A connection already broken (Temporal or Postgres gone at shutdown) must not turn a clean stop into a crash.
  await connection.close().catch(() => {});
  await db.destroy().catch(() => {});
  log.info('worker stopped');
}

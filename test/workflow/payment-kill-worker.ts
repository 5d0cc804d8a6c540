// A worker in its own process that dies (exit 137, no cleanup) right after the ledger applied a payment and before
// the activity recorded it: test/workflow/payment.test.ts kills a worker mid-flight with it.
import { Horizon } from '@stellar/stellar-sdk';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { loadConfig } from '../../config/index.js';
import { installRuntime } from '../../config/temporal.js';
import { createDb } from '../../db/index.js';
import { createAnchorWorker } from '../../worker/index.js';

const env = process.env;
const config = loadConfig({
  PROFILE: 'sandbox',
  LOG_LEVEL: 'silent',
  DATABASE_URL: env.KILL_DATABASE_URL,
  TEMPORAL_ADDRESS: env.KILL_TEMPORAL_ADDRESS,
  HORIZON_URL: env.KILL_HORIZON_URL,
});
const db = createDb({ url: config.db.url, poolSize: 3, schema: env.KILL_SCHEMA });
const horizon = new Horizon.Server(config.stellar.horizonUrl, { allowHttp: true });
installRuntime('ERROR');
const connection = await NativeConnection.connect({ address: config.temporal.address });
const activities = createActivities({
  config,
  db,
  horizon,
  stellarHooks: {
    afterSubmit(ref) {
      if (ref === env.KILL_REF) process.exit(137); // the process dies with the payment on the ledger, unrecorded
    },
  },
});
const worker = await createAnchorWorker({
  connection,
  namespace: 'default',
  taskQueue: env.KILL_TASK_QUEUE!,
  deps: { config, db },
  workflowBundle: { codePath: env.KILL_BUNDLE! },
  activities,
});
process.stdout.write('ready\n');
await worker.run();

// API entry: `npm run api`. Serves every SEP on API_HOST:API_PORT; SIGINT/SIGTERM close it gracefully.
import { serve } from '@hono/node-server';
import { loadConfigOrExit } from '../config/index.js';
import { loadDotEnv } from '../config/load-env.js';
import { createLogger } from '../config/logger.js';
import { exitOnSignal } from '../config/shutdown.js';
import { connectTemporalClient } from '../config/temporal.js';
import { createDb } from '../db/index.js';
import { installNativeEd25519 } from '../stellar/native-ed25519.js';
import { createApp } from './app.js';

loadDotEnv();
installNativeEd25519(); // SEP-10 signs and verifies with node:crypto instead of the SDK's pure-JS ed25519
const config = loadConfigOrExit();
const logger = createLogger('api', config.logLevel);
const db = createDb({
  url: config.db.url,
  poolSize: config.db.poolSize,
  onPoolError: (err) =>
    logger.warn({ err: err.message }, 'idle Postgres connection lost; the pool reconnects'),
});
const temporal = await connectTemporalClient(config);
const app = createApp({ config, db, temporal, logger });

const server = serve({ fetch: app.fetch, hostname: config.api.host, port: config.api.port }, (info) => {
  logger.info({ port: info.port, profile: config.profile }, `API listening on ${config.api.publicUrl}`);
});
server.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EADDRINUSE') {
    logger.fatal(
      `port ${config.api.port} is already in use: is another anchor running? (set API_PORT to change it)`,
    );
  } else {
    logger.fatal({ err }, 'server error');
  }
  process.exit(1);
});

exitOnSignal(async (signal) => {
  logger.info({ signal }, 'shutting down');
  server.close();
  await temporal.connection.close().catch(() => {});
  await db.destroy().catch(() => {});
});

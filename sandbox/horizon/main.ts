// Sandbox Horizon entry (`npm start` in the sandbox profile): a local ledger speaking Horizon's HTTP API.
import { loadConfigOrExit } from '../../config/index.js';
import { loadDotEnv } from '../../config/load-env.js';
import { createLogger } from '../../config/logger.js';
import { exitOnSignal } from '../../config/shutdown.js';
import { installNativeEd25519 } from '../../stellar/native-ed25519.js';
import { createHorizonSandbox } from './index.js';

loadDotEnv();
installNativeEd25519(); // the ledger verifies every signature with node:crypto
const config = loadConfigOrExit();
const logger = createLogger('sandbox-horizon', config.logLevel);
if (config.profile !== 'sandbox') {
  logger.fatal('the sandbox Horizon runs only in the sandbox profile');
  process.exit(78);
}

const sandbox = createHorizonSandbox({
  databaseUrl: config.db.url,
  networkPassphrase: config.stellar.networkPassphrase,
  ledgerCloseMs: config.sandbox.horizon.ledgerCloseMs,
  maxOpsPerLedger: config.sandbox.horizon.maxOpsPerLedger,
  pathPaymentRates: config.sandbox.horizon.pathPaymentRates,
  hostname: '0.0.0.0',
  onError: (err, where) => logger.error({ err, where }, 'sandbox Horizon error'),
});

try {
  const { port } = await sandbox.start(config.sandbox.horizonPort);
  logger.info(
    { port, ledger: sandbox.ledger.latest.seq, root: sandbox.rootKeypair.publicKey() },
    `sandbox Horizon listening on http://localhost:${port}`,
  );
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    logger.fatal(
      `port ${config.sandbox.horizonPort} is already in use (set SANDBOX_HORIZON_PORT to change it)`,
    );
  } else {
    logger.fatal({ err }, 'sandbox Horizon failed to start');
  }
  process.exit(1);
}

exitOnSignal(async (signal) => {
  logger.info({ signal }, 'shutting down');
  await sandbox.stop().catch(() => {});
});

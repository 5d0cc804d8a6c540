// Sandbox KYC provider entry (`npm start` runs it in the sandbox profile) on SANDBOX_KYC_PORT.
import { loadConfigOrExit } from '../../config/index.js';
import { loadDotEnv } from '../../config/load-env.js';
import { createLogger } from '../../config/logger.js';
import { exitOnSignal } from '../../config/shutdown.js';
import { startSandboxKyc } from './server.js';

loadDotEnv();
const config = loadConfigOrExit();
const logger = createLogger('sandbox-kyc', config.logLevel);
const kyc = await startSandboxKyc({
  dbUrl: config.db.url,
  schema: 'sandbox_kyc',
  host: '0.0.0.0',
  port: config.sandbox.kycPort,
  webhookUrl: config.kyc.sandboxWebhookUrl,
  webhookSecret: config.kyc.webhookSecret,
  delayMs: config.kyc.sandboxDelayMs,
  apiKey: config.kyc.providerApiKey,
  logger,
}).catch((err: NodeJS.ErrnoException) => {
  logger.fatal(
    err.code === 'EADDRINUSE'
      ? `port ${config.sandbox.kycPort} is already in use (set SANDBOX_KYC_PORT to change it)`
      : { err: { message: err.message } },
    'sandbox KYC provider failed to start',
  );
  process.exit(1);
});
logger.info({ port: kyc.port, webhookUrl: config.kyc.sandboxWebhookUrl }, 'sandbox KYC provider listening');

exitOnSignal(async () => {
  await kyc.close().catch(() => {});
});

// Sandbox bank entry (`npm start` runs it in the sandbox profile): a simulated PSP on SANDBOX_BANK_PORT.
import { loadConfigOrExit } from '../../config/index.js';
import { loadDotEnv } from '../../config/load-env.js';
import { createLogger } from '../../config/logger.js';
import { exitOnSignal } from '../../config/shutdown.js';
import { startSandboxBank } from './server.js';

loadDotEnv();
const config = loadConfigOrExit();
const logger = createLogger('sandbox-bank', config.logLevel);
const bank = await startSandboxBank({
  dbUrl: config.db.url,
  schema: 'sandbox_bank',
  host: '0.0.0.0',
  port: config.sandbox.bankPort,
  apiKey: config.bank.apiKey,
  webhookUrl: config.bank.sandboxWebhookUrl,
  webhookSecret: config.bank.webhookSecret,
  anchorAccount: config.bank.anchorAccount,
  logger,
}).catch((err: NodeJS.ErrnoException) => {
  const reason =
    err.code === 'EADDRINUSE'
      ? `port ${config.sandbox.bankPort} is already in use (set SANDBOX_BANK_PORT to change it)`
      : err.message;
  logger.fatal({ reason }, 'sandbox bank failed to start');
  process.exit(1);
});
logger.info({ port: bank.port, webhookUrl: config.bank.sandboxWebhookUrl }, 'sandbox bank listening');

exitOnSignal(async () => {
  await bank.close().catch(() => {});
});

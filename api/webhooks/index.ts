import type { ApiDeps, AppEnv } from '../deps.js';
import { createRouter } from '../openapi/hono.js';
import { bankWebhookApp } from './bank.js';

/**
 * Server-to-server callbacks from our partners, mounted at /webhooks. Each partner authenticates with its own
 * signature scheme (never a SEP-10 token). Add a partner with one `route()` line.
 */
export function webhooksApp(deps: ApiDeps) {
  const app = createRouter<AppEnv>();
  app.route('/bank', bankWebhookApp(deps));
  return app;
}

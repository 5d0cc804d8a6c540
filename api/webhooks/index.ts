import { Hono } from 'hono';
import type { ApiDeps, AppEnv } from '../deps.js';
import { bankWebhookApp } from './bank.js';

/**
 * Server-to-server callbacks from our partners, mounted at /webhooks. Each partner authenticates with its own
 * signature scheme (never a SEP-10 token). Add a partner with one `route()` line.
 */
export function webhooksApp(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  app.route('/bank', bankWebhookApp(deps));
  return app;
}

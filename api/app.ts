import { requestId } from 'hono/request-id';
import { CONSOLE_PATH, consoleApp } from './admin/console/index.js';
import { adminApp } from './admin/index.js';
import type { ApiDeps, AppEnv } from './deps.js';
import { healthApp } from './health/index.js';
import { metricsApp } from './health/metrics.js';
import { faviconApp } from './interactive/favicon.js';
import { bodyLimitsFor, limitRequestBodies } from './middleware/body-limit.js';
import { sepCors } from './middleware/cors.js';
import { errorHandler, HttpError } from './middleware/errors.js';
import { createMetrics, observeRequests } from './middleware/metrics.js';
import { createRouter } from './openapi/hono.js';
import { documentConfig, openapiApp, registerSecuritySchemes } from './openapi/index.js';
import { SEP6_PATH, SEP10_PATH, SEP12_PATH, SEP24_PATH, SEP38_PATH } from './paths.js';
import { sep1App } from './sep1/index.js';
import { sep6App } from './sep6/index.js';
import { sep10App } from './sep10/index.js';
import { kycSurface } from './sep12/index.js';
import { sep24App } from './sep24/index.js';
import { sep38App } from './sep38/index.js';
import { webhooksApp } from './webhooks/index.js';

/**
 * The whole HTTP surface. Each SEP is a sub-app mounted with `route()`; nothing global, so tests build as many
 * apps as they like with their own deps. Every route is declared with its zod schemas (api/openapi/hono.ts), and
 * /openapi.json is the document of those declarations.
 */
export function createApp(deps: ApiDeps) {
  const app = createRouter<AppEnv>();
  registerSecuritySchemes(app);
  app.use('*', requestId());
  // CORS-open everything a wallet calls; the admin surface stays closed (S1-02 manual note).
  const metrics = createMetrics(deps);
  app.use('*', observeRequests(metrics, deps.logger));
  const corsMiddleware = sepCors();
  // No CORS on the operators' surfaces: /admin (keys, console) and /metrics (balances) are not for browsers elsewhere.
  app.use('*', async (c, next) =>
    c.req.path.startsWith('/admin') || c.req.path === '/metrics' ? next() : corsMiddleware(c, next),
  );
  // Before every parser and every auth check: an anonymous 50 MB body costs at most its route class's limit.
  app.use('*', limitRequestBodies(bodyLimitsFor(deps.config)));

  app.route('/', healthApp(deps));
  app.route('/', sep1App(deps));
  app.route('/', faviconApp());
  app.route('/', metricsApp(metrics, deps.config));
  // Read on first request, once every sub-app below is mounted (mounting copies their declarations up).
  app.route(
    '/',
    openapiApp(() => app.getOpenAPIDocument(documentConfig(deps.config))),
  );
  // The operator console before the admin API: its pages answer with sign-in redirects, not the API's 401 JSON.
  app.route(CONSOLE_PATH, consoleApp(deps));
  app.route('/admin', adminApp(deps));
  app.route(SEP10_PATH, sep10App(deps));
  // SEP-12 KYC_SERVER and the hosted KYC page (/kyc/interactive); the provider's verdicts at /webhooks/kyc.
  const kyc = kycSurface(deps);
  app.route(SEP12_PATH, kyc.kyc);
  app.route('/webhooks/kyc', kyc.webhook);
  // SEP-24 TRANSFER_SERVER_SEP0024 and its hosted pages (/sep24/interactive/...), sharing the KYC context.
  app.route(SEP24_PATH, sep24App(deps, { kyc: kyc.ctx }));
  // SEP-6 TRANSFER_SERVER, on the same workflows as SEP-24.
  app.route(SEP6_PATH, sep6App(deps));
  // SEP-38 ANCHOR_QUOTE_SERVER.
  if (deps.config.sep38.enabled) app.route(SEP38_PATH, sep38App(deps));

  app.route('/webhooks', webhooksApp(deps));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError(errorHandler(deps.logger));
  return app;
}

export { HttpError };
export type AnchorApp = ReturnType<typeof createApp>;

import { createRoute } from '@hono/zod-openapi';
import type { ApiMetrics } from '../middleware/metrics.js';
import { createRouter } from '../openapi/hono.js';
import { media } from '../openapi/responses.js';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics (text exposition format)',
  responses: { 200: media('text/plain', 'metrics') },
});

/** GET /metrics: this API process's registry (api/middleware/metrics.ts). */
export function metricsApp(metrics: ApiMetrics) {
  const app = createRouter();
  app.openapi(metricsRoute, async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );
  return app;
}

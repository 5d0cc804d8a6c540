import { timingSafeEqual } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { AppConfig } from '../../config/index.js';
import type { ApiMetrics } from '../middleware/metrics.js';
import { createRouter } from '../openapi/hono.js';
import { errorResponse, media } from '../openapi/responses.js';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics (text exposition format)',
  description:
    'Open in the sandbox; with METRICS_TOKEN set it needs `Authorization: Bearer <token>`; outside the sandbox ' +
    'without a token it is off (404). The figures include the distribution balance.',
  responses: {
    200: media('text/plain', 'metrics'),
    401: errorResponse('missing or wrong bearer token'),
    404: errorResponse('metrics are off (no METRICS_TOKEN outside the sandbox)'),
  },
});

/** GET /metrics: this API process's registry (api/middleware/metrics.ts), as config.ops.apiMetrics allows. */
export function metricsApp(metrics: ApiMetrics, config: AppConfig) {
  const access = config.ops.apiMetrics;
  const app = createRouter();
  app.openapi(metricsRoute, async (c) => {
    if (access.access === 'off') return c.json({ error: 'not found' }, 404);
    if (access.access === 'token' && !bearerMatches(c.req.header('authorization'), access.token)) {
      return c.json({ error: 'metrics need Authorization: Bearer <METRICS_TOKEN>' }, 401, {
        'WWW-Authenticate': 'Bearer realm="metrics"',
      });
    }
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });
  return app;
}

/** Constant-time comparison, so the answer's timing does not tell how much of a guessed token was right. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

import { createRoute, z } from '@hono/zod-openapi';
import { horizonGet } from '../../core/horizon.js';
import { pingDb } from '../../db/index.js';
import type { ApiDeps } from '../deps.js';
import { createRouter } from '../openapi/hono.js';
import { json } from '../openapi/responses.js';

type CheckStatus = 'ok' | 'unavailable';
export interface ReadyReport {
  status: 'ready' | 'not_ready';
  checks: { postgres: CheckResult; temporal: CheckResult; horizon: CheckResult };
}
interface CheckResult {
  status: CheckStatus;
  latency_ms?: number;
  error?: string;
}

async function timed(check: () => Promise<unknown>, timeoutMs = 3000): Promise<CheckResult> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs),
      ),
    ]);
    return { status: 'ok', latency_ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { status: 'unavailable', error: err instanceof Error ? err.message : String(err) };
  }
}

const checkResult = z.object({
  status: z.enum(['ok', 'unavailable']),
  latency_ms: z.number().optional(),
  error: z.string().optional(),
});
const readyReport = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ postgres: checkResult, temporal: checkResult, horizon: checkResult }),
  })
  .openapi('ReadyReport');

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['operations'],
  summary: 'Liveness',
  responses: { 200: json(z.object({ status: z.literal('ok') }), 'the process answers') },
});
const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['operations'],
  summary: 'Readiness of Postgres, Temporal and Horizon',
  responses: { 200: json(readyReport, 'ready'), 503: json(readyReport, 'a dependency is down') },
});

/** GET /health (liveness: the process answers) and GET /ready (each dependency reported by name). */
export function healthApp(deps: ApiDeps) {
  const app = createRouter();

  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(readyRoute, async (c) => {
    const [postgres, temporal, horizon] = await Promise.all([
      timed(() => pingDb(deps.db)),
      timed(() =>
        deps.temporal.workflowService.describeNamespace({ namespace: deps.config.temporal.namespace }),
      ),
      timed(async () => {
        const root = await horizonGet<{ network_passphrase?: string }>(deps.config, '/', deps.fetch, 2500);
        if (root.network_passphrase && root.network_passphrase !== deps.config.stellar.networkPassphrase) {
          throw new Error(`Horizon serves "${root.network_passphrase}", config expects another network`);
        }
      }),
    ]);
    const report: ReadyReport = {
      status:
        postgres.status === 'ok' && temporal.status === 'ok' && horizon.status === 'ok'
          ? 'ready'
          : 'not_ready',
      checks: { postgres, temporal, horizon },
    };
    return report.status === 'ready' ? c.json(report, 200) : c.json(report, 503);
  });
  return app;
}

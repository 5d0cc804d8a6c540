import { Hono } from 'hono';
import { horizonGet } from '../../core/horizon.js';
import { pingDb } from '../../db/index.js';
import type { ApiDeps, AppEnv } from '../deps.js';

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

/** GET /health (liveness: the process answers) and GET /ready (each dependency reported by name). */
export function healthApp(deps: ApiDeps) {
  const app = new Hono<AppEnv>();

  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.get('/ready', async (c) => {
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
    return c.json(report, report.status === 'ready' ? 200 : 503);
  });
  return app;
}

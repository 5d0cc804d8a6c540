import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../../config/logger.js';
import { distributionBalance } from '../../core/horizon.js';
import {
  countTopUpsByStatus,
  countTransactionsByKindAndStatus,
  observerCursorTimes,
} from '../../db/metrics.js';
import type { ApiDeps } from '../deps.js';

/**
 * Prometheus metrics of the API process, on its own Registry (no prom-client globals: every createApp gets its
 * own). Gauges that describe the whole anchor (transactions by status, top-ups, observer lag, distribution
 * balance, workflow outcomes from Temporal visibility) are computed on scrape, so any API replica reports the
 * same numbers. Worker-process counters (activity retries) are not here: see docs/operations.md.
 */
export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpErrors: Counter<'method' | 'route' | 'status'>;
}

const HORIZON_CACHE_MS = 15_000;

export function createMetrics(deps: ApiDeps): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { db, config } = deps;

  const httpDuration = new Histogram({
    name: 'anchor_http_request_duration_seconds',
    help: 'HTTP request latency by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpErrors = new Counter({
    name: 'anchor_http_errors_total',
    help: 'HTTP responses with status >= 500 by route template',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'anchor_transactions',
    help: 'SEP-24 transactions by kind and status (from Postgres on scrape)',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await countTransactionsByKindAndStatus(db);
      for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.n));
    },
  });

  new Gauge({
    name: 'anchor_topups',
    help: 'distribution top-ups by status (awaiting_signature needs the cold signers)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await countTopUpsByStatus(db);
      for (const r of rows) this.set({ status: r.status }, Number(r.n));
    },
  });

  new Gauge({
    name: 'anchor_observer_lag_seconds',
    help: 'seconds since the payment observer last stored its Horizon cursor, per watched account',
    labelNames: ['account'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await observerCursorTimes(db);
      for (const r of rows) this.set({ account: r.account }, (Date.now() - r.updated_at.getTime()) / 1000);
    },
  });

  // One Horizon probe per scrape window, shared by the two gauges (whichever prom-client collects first).
  let probe: { at: number; result: Promise<{ value: string | undefined; ok: boolean }> } | undefined;
  const probeBalance = () => {
    if (!probe || Date.now() - probe.at > HORIZON_CACHE_MS) {
      probe = {
        at: Date.now(),
        result: distributionBalance(config, deps.fetch ?? fetch).then(
          (value) => ({ value, ok: true }),
          () => ({ value: undefined, ok: false }),
        ),
      };
    }
    return probe.result;
  };
  new Gauge({
    name: 'anchor_horizon_up',
    help: '1 when the last Horizon probe for the distribution balance succeeded',
    registers: [registry],
    async collect() {
      this.set((await probeBalance()).ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'anchor_distribution_balance',
    help: 'distribution account balance of the anchored asset (units; float for graphing only)',
    labelNames: ['asset_code'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const { value } = await probeBalance();
      if (value !== undefined) this.set({ asset_code: config.stellar.assetCode }, Number(value));
    },
  });
  new Gauge({
    name: 'anchor_distribution_alert_balance',
    help: 'DISTRIBUTION_ALERT_BALANCE: alert when anchor_distribution_balance falls below it',
    registers: [registry],
    collect() {
      this.set(Number(config.ops.distributionAlertBalance));
    },
  });

  new Gauge({
    name: 'anchor_workflows',
    help: 'workflow executions in the namespace by type and Temporal execution status (visibility count)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const status of ['Running', 'Failed', 'TimedOut', 'Terminated']) {
        try {
          const { count } = await deps.temporal.workflow.count(`ExecutionStatus="${status}"`);
          this.set({ status }, count);
        } catch {
          // Visibility unavailable: leave the series absent rather than report a wrong zero.
        }
      }
    },
  });

  return { registry, httpDuration, httpErrors };
}

/**
 * Per-request latency and error counters by route template (never the raw path: ids would explode cardinality),
 * plus one structured access-log line with the request id and, when the route names one, the transaction id.
 */
export function observeRequests(metrics: ApiMetrics, logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const matched = routePath(c, -1);
    const route = matched && !matched.endsWith('*') ? matched : 'unmatched';
    const labels = { method: c.req.method, route, status: String(c.res.status) };
    metrics.httpDuration.observe(labels, seconds);
    if (c.res.status >= 500) metrics.httpErrors.inc(labels);
    if (c.req.path === '/metrics' || c.req.path === '/health') return;
    const transactionId =
      route.includes('transaction') || route.includes('withdrawals')
        ? (c.req.param('id') ?? c.req.query('id'))
        : undefined;
    logger.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        route,
        status: c.res.status,
        ms: Math.round(seconds * 1000),
        ...(transactionId ? { transactionId } : {}),
      },
      'request',
    );
  };
}

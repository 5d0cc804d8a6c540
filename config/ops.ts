import { compareAmounts } from '../stellar/money.js';
import { parseAdminKeys } from './admin-keys.js';
import type { BuildContext } from './context.js';
import type { Env } from './schema.js';

/** Operations (issue 9): admin API keys, the distribution top-up schedule, alerts. Amounts are decimal strings. */
export function buildOpsConfig(e: Env, ctx: BuildContext) {
  const adminKeys = parseAdminKeys(e.ADMIN_API_KEYS);
  for (const message of adminKeys.errors) ctx.issues.push({ key: 'ADMIN_API_KEYS', message });
  if (compareAmounts(e.TOPUP_TARGET, e.TOPUP_THRESHOLD) <= 0) {
    ctx.issues.push({ key: 'TOPUP_TARGET', message: 'must be greater than TOPUP_THRESHOLD' });
  }
  return {
    adminKeys: adminKeys.keys,
    /** Operator console sessions end after this many minutes without a request. */
    consoleIdleMinutes: e.ADMIN_CONSOLE_IDLE_MINUTES,
    /** Failed /admin authentications per client IP per window before 429 (0 = no limit); audited as one counted row. */
    adminAuthLimit: { max: e.ADMIN_AUTH_RATE_LIMIT_MAX, windowSeconds: 60 },
    topUp: {
      /** Cron (UTC) when set; otherwise `interval` (a duration like 1h). */
      cron: e.TOPUP_CRON,
      interval: e.TOPUP_INTERVAL,
      threshold: e.TOPUP_THRESHOLD,
      target: e.TOPUP_TARGET,
      signatureTimeout: e.TOPUP_SIGNATURE_TIMEOUT,
    },
    distributionAlertBalance: e.DISTRIBUTION_ALERT_BALANCE,
    /** host:port of the worker's SDK Prometheus exporter, or undefined (off). */
    workerMetricsAddress: e.WORKER_METRICS_ADDRESS,
    /**
     * GET /metrics: open (sandbox without a token), behind this bearer token, or off (404) outside the sandbox
     * when no token is set — the figures include the distribution balance and transaction counts.
     */
    apiMetrics: e.METRICS_TOKEN
      ? ({ access: 'token', token: e.METRICS_TOKEN } as const)
      : ({ access: ctx.sandbox ? 'open' : 'off' } as const),
  };
}

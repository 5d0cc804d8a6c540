import { type BuildContext, withoutTrailingSlash } from './context.js';
import type { Env } from './schema.js';

/** The process-wide blocks: profile, log level, where the API listens, Postgres, Temporal. */
export function buildCoreConfig(e: Env, ctx: BuildContext) {
  return {
    profile: e.PROFILE,
    logLevel: e.LOG_LEVEL,
    api: { host: e.API_HOST, port: e.API_PORT, publicUrl: ctx.publicUrl, homeDomain: ctx.homeDomain },
    db: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: withoutTrailingSlash(e.TEMPORAL_UI_URL),
      tls: e.TEMPORAL_TLS,
      apiKey: e.TEMPORAL_API_KEY,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    },
  };
}

import { type Hook, OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';
import type { AppEnv } from '../deps.js';
import { invalidRequest } from '../middleware/errors.js';

/**
 * A zod failure on a declared route (query, params, body) becomes the SEP error shape: 400 `{"error": "..."}`
 * naming every bad field, rendered by the one onError (api/middleware/errors.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route, whatever its input types
export const rejectInvalidRequest: Hook<any, any, any, any> = (result) => {
  if (!result.success) throw invalidRequest(result.error);
};

/**
 * Every sub-app of the API is one of these: routes are declared with `createRoute()` and `app.openapi()`, so
 * the zod schema that validates a request is the one /openapi.json publishes. Mount sub-apps with `route()`
 * only after their routes are declared (the parent copies the declarations when it mounts).
 */
export function createRouter<E extends Env = AppEnv>() {
  return new OpenAPIHono<E>({ defaultHook: rejectInvalidRequest });
}

export type Router<E extends Env = AppEnv> = OpenAPIHono<E>;

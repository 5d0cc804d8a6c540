import { createRoute, z } from '@hono/zod-openapi';
import type { ApiDeps } from '../deps.js';
import type { AuthEnv } from '../middleware/auth.js';
import { createRouter } from '../openapi/hono.js';
import { sep6Info } from './info.js';
import { registerSep6Transactions } from './transactions.js';
import { registerSep6Transfers } from './transfers.js';
import { registerSep6Update } from './update.js';

/**
 * TRANSFER_SERVER (mounted at SEP6_PATH): programmatic deposits and withdrawals on the same workflows as
 * SEP-24. /info is public; everything else needs SEP-10 (S6-02).
 */
export function sep6App(deps: ApiDeps) {
  const app = createRouter<AuthEnv>();
  const info = sep6Info(deps.config);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/info',
      tags: ['SEP-6'],
      summary: 'Assets, funding methods, fees and limits (S6-03)',
      responses: {
        200: { description: 'the info', content: { 'application/json': { schema: z.object({}).loose() } } },
      },
    }),
    (c) => c.json(info, 200),
  );
  registerSep6Transfers(app, deps);
  registerSep6Transactions(app, deps);
  registerSep6Update(app, deps);
  return app;
}

import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../openapi/hono.js';
import { media } from '../openapi/responses.js';
import { LOGO_PNG } from '../sep1/logo.js';

/** GET /favicon.ico: the organization's icon (the toml's default logo, a PNG, which every browser takes here). */
export function faviconApp() {
  const app = createRouter();
  const route = createRoute({
    method: 'get',
    path: '/favicon.ico',
    tags: ['SEP-24 hosted pages'],
    summary: 'The organization icon',
    responses: { 200: media('image/png', 'PNG', 'binary') },
  });
  app.openapi(route, (c) =>
    c.body(new Uint8Array(LOGO_PNG), 200, {
      'Content-Type': 'image/png',
      'Cache-Control': 'public, max-age=86400',
    }),
  );
  return app;
}

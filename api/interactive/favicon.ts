import { Hono } from 'hono';
import { LOGO_PNG } from '../sep1/logo.js';

/** GET /favicon.ico: the organization's icon (the toml's default logo, a PNG, which every browser takes here). */
export function faviconApp() {
  const app = new Hono();
  app.get('/favicon.ico', (c) =>
    c.body(new Uint8Array(LOGO_PNG), 200, {
      'Content-Type': 'image/png',
      'Cache-Control': 'public, max-age=86400',
    }),
  );
  return app;
}

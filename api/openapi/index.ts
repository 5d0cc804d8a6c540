import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import type { AppConfig } from '../../config/index.js';
import { notFound } from '../middleware/errors.js';
import { text } from './fields.js';
import { createRouter, type Router } from './hono.js';
import { errorResponse, html, json, media } from './responses.js';

const require = createRequire(import.meta.url);
/** swagger-ui-dist ships the UI's static files; served from node_modules so /docs works offline (no CDN). */
const SWAGGER_DIR: string = (
  require('swagger-ui-dist') as { getAbsoluteFSPath(): string }
).getAbsoluteFSPath();
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Anchor API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  validatorUrl: null,
});
`;

/** The document's frame: everything but the paths, which come from the declared routes. */
export function documentConfig(config: AppConfig) {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Stellar anchor (SEP-1, 10, 12, 24, 38) and admin API',
      version: '0.1.0',
      description:
        'Public SEP endpoints and the operator /admin surface. Errors are `{"error": "..."}`. Admin requests need an API key (never a SEP-10 token); every admin request is audited.',
    },
    servers: [{ url: config.api.publicUrl }],
    tags: [
      { name: 'SEP-1' },
      { name: 'SEP-10' },
      { name: 'SEP-12' },
      { name: 'SEP-24' },
      { name: 'SEP-24 hosted pages' },
      { name: 'SEP-38' },
      { name: 'admin' },
      { name: 'operations' },
      { name: 'webhooks' },
    ],
  };
}

/** The security schemes the routes name (api/openapi/responses.ts sep10Security, adminSecurity). */
export function registerSecuritySchemes(app: Router) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'sep10', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'SEP-10 token from POST /auth',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'admin API key from ADMIN_API_KEYS (also accepted as X-Admin-Key)',
  });
}

const tags = ['operations'];
const openapiJson = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags,
  summary: 'This document',
  responses: { 200: json(z.object({ openapi: z.string() }).loose(), 'OpenAPI 3 document') },
});
const docsPage = createRoute({
  method: 'get',
  path: '/docs',
  tags,
  summary: 'Swagger UI for this document',
  responses: { 200: html('Swagger UI') },
});
const docsInit = createRoute({
  method: 'get',
  path: '/docs/init.js',
  tags,
  summary: 'Swagger UI bootstrap script',
  responses: { 200: media('text/javascript', 'JavaScript') },
});
const docsAsset = createRoute({
  method: 'get',
  path: '/docs/assets/{file}',
  tags,
  summary: 'Swagger UI static asset (served from swagger-ui-dist, no CDN)',
  request: { params: z.object({ file: text(100) }) },
  responses: {
    200: media('application/octet-stream', 'asset', 'binary'),
    404: errorResponse('no such asset'),
  },
});

/**
 * GET /openapi.json and GET /docs (Swagger UI, assets served locally). `document` is the root app's
 * getOpenAPIDocument(), called on first request, after every sub-app is mounted.
 */
export function openapiApp(document: () => { openapi: string }) {
  const app = createRouter();
  let cached: { openapi: string } | undefined;
  app.openapi(openapiJson, (c) => {
    cached ??= document();
    return c.json(cached, 200);
  });
  // Swagger UI runs only our own files (no inline script, no CDN); it styles itself inline and draws data: icons.
  app.openapi(docsPage, (c) => c.html(DOCS_HTML, 200, { 'Content-Security-Policy': DOCS_CSP }));
  app.openapi(docsInit, (c) => c.body(INIT_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.openapi(docsAsset, async (c) => {
    const { file } = c.req.valid('param');
    const type = ASSETS[file];
    if (!type) throw notFound('no such asset');
    const content = await readFile(join(SWAGGER_DIR, file));
    return c.body(content, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
  return app;
}

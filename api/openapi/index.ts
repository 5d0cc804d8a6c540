import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { ApiDeps, AppEnv } from '../deps.js';
import { notFound } from '../middleware/errors.js';
import { buildOpenApiDocument, type ServedRoute } from './document.js';

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
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  validatorUrl: null,
});
`;

/** GET /openapi.json (generated from the zod schemas) and GET /docs (Swagger UI, assets served locally). */
export function openapiApp(deps: ApiDeps, servedRoutes: () => ServedRoute[]) {
  const app = new Hono<AppEnv>();
  let cached: string | undefined;
  app.get('/openapi.json', (c) => {
    cached ??= JSON.stringify(buildOpenApiDocument(deps.config, servedRoutes()));
    return c.body(cached, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });
  app.get('/docs', (c) => c.html(DOCS_HTML));
  app.get('/docs/init.js', (c) => c.body(INIT_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) throw notFound('no such asset');
    const content = await readFile(join(SWAGGER_DIR, file));
    return c.body(content, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
  return app;
}

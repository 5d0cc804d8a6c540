import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { createTestApiDeps, type TestApiDeps } from '../helpers/api.js';
import { launchChromium } from '../helpers/browser.js';
import { testConfig } from '../helpers/config.js';

/** `/transactions/:id` → `/transactions/{id}` */
const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

/** Every route the app serves (all mounted sub-apps are in `app.routes`) that the document lacks. */
function undocumented(
  app: { routes: { method: string; path: string }[] },
  doc: OpenAPIV3.Document,
): string[] {
  const missing = new Set<string>();
  for (const r of app.routes) {
    const method = r.method.toLowerCase();
    if (!METHODS.includes(method) || r.path.includes('*')) continue;
    const item = doc.paths[toOpenApiPath(r.path)] as Record<string, unknown> | undefined;
    if (!item?.[method]) missing.add(`${r.method} ${r.path}`);
  }
  return [...missing];
}

describe('OpenAPI document and /docs (issue 9, #12)', () => {
  let api: TestApiDeps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    api = await createTestApiDeps(testConfig(), { schemaPrefix: 'oa' });
    app = createApp(api.deps);
  });
  afterAll(async () => {
    await api?.close();
  });

  async function document(): Promise<OpenAPIV3.Document> {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    return (await res.json()) as OpenAPIV3.Document;
  }

  it('is a valid OpenAPI 3 document', async () => {
    const doc = await document();
    expect(doc.openapi).toMatch(/^3\.0\./);
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(['adminKey', 'sep10']);
  });

  it('documents every route the app serves, from the schemas that validate them (no undocumented tag)', async () => {
    const doc = await document();
    expect(undocumented(app, doc)).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('undocumented');
    // Every operation declares its answers; a route added with plain app.get() instead of app.openapi() is
    // not in the document at all, which the walk above reports.
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item ?? {})) {
        if (!METHODS.includes(method)) continue;
        expect(Object.keys((op as OpenAPIV3.OperationObject).responses), `${method} ${path}`).not.toEqual([]);
      }
    }
    const search = doc.paths['/admin/transactions']!.get!;
    expect(search.security).toEqual([{ adminKey: [] }]);
    const status = (search.parameters as OpenAPIV3.ParameterObject[]).find((p) => p.name === 'status')!;
    expect((status.schema as OpenAPIV3.SchemaObject).enum).toContain('pending_anchor');
    const decision = doc.paths['/admin/withdrawals/{id}/decision']!.post!;
    const body = (decision.requestBody as OpenAPIV3.RequestBodyObject).content['application/json']!
      .schema as OpenAPIV3.SchemaObject;
    expect(body.required).toEqual(['decision']);
    expect((body.properties!.decision as OpenAPIV3.SchemaObject).enum).toEqual(['approve', 'reject']);
  });

  it('the route walk bites: a route served outside the declared ones is reported', async () => {
    const extra = createApp(api.deps);
    extra.get('/not-declared', (c) => c.text('hi'));
    const res = await extra.request('/openapi.json');
    const doc = (await res.json()) as OpenAPIV3.Document;
    expect(undocumented(extra, doc)).toEqual(['GET /not-declared']);
  });

  it('SEP-24 interactive bodies are declared for JSON, urlencoded and multipart from one schema (S24-03)', async () => {
    const doc = await document();
    for (const kind of ['deposit', 'withdraw']) {
      const op = doc.paths[`/sep24/transactions/${kind}/interactive`]!.post!;
      expect(op.security).toEqual([{ sep10: [] }]);
      const content = (op.requestBody as OpenAPIV3.RequestBodyObject).content;
      expect(Object.keys(content).sort()).toEqual([
        'application/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ]);
      const schemas = Object.values(content).map((m) => JSON.stringify(m.schema));
      expect(new Set(schemas).size).toBe(1);
      const ref = (content['application/json']!.schema as OpenAPIV3.ReferenceObject).$ref;
      const schema = doc.components!.schemas![
        ref.replace('#/components/schemas/', '')
      ] as OpenAPIV3.SchemaObject;
      expect(schema.required).toContain('asset_code');
    }
    const auth = doc.paths['/auth']!.post!;
    expect(Object.keys((auth.requestBody as OpenAPIV3.RequestBodyObject).content)).toContain(
      'application/x-www-form-urlencoded',
    );
    const challenge = doc.paths['/auth']!.get!.parameters as OpenAPIV3.ParameterObject[];
    expect(challenge.find((p) => p.name === 'account')?.required).toBe(true);
  });

  it('/docs renders Swagger UI in Chromium with no request leaving the machine', async () => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const browser = await launchChromium();
    const external: string[] = [];
    const violations: string[] = [];
    try {
      const page = await browser.newPage();
      // #15 row 9: /docs has a CSP, and Swagger UI works under it (a blocked script or fetch shows up here).
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1') return route.continue();
        external.push(url.href);
        return route.abort();
      });
      const res = await page.goto(`http://127.0.0.1:${port}/docs`);
      const csp = (await res?.allHeaders())?.['content-security-policy'] ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
      expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Stellar anchor');
      await page.locator('.opblock-tag-section').first().waitFor({ timeout: 30_000 });
      const tags = await page.locator('.opblock-tag').allInnerTexts();
      expect(tags.join(' ')).toMatch(/admin/);
      expect(external).toEqual([]);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      server.close();
    }
  });
});

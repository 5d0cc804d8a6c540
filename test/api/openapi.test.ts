import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { toOpenApiPath } from '../../api/openapi/document.js';
import { createTestApiDeps, type TestApiDeps } from '../helpers/api.js';
import { launchChromium } from '../helpers/browser.js';
import { testConfig } from '../helpers/config.js';

describe('OpenAPI document and /docs (issue 9)', () => {
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
  });

  it('documents every route the app serves, and the admin routes with their zod-derived schemas', async () => {
    const doc = await document();
    for (const r of app.routes) {
      const method = r.method.toLowerCase();
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method) || r.path.includes('*')) continue;
      const item = doc.paths[toOpenApiPath(r.path)] as Record<string, unknown> | undefined;
      expect(item?.[method], `${r.method} ${r.path}`).toBeDefined();
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

  it('/docs renders Swagger UI in Chromium with no request leaving the machine', async () => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const browser = await launchChromium();
    const external: string[] = [];
    try {
      const page = await browser.newPage();
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1') return route.continue();
        external.push(url.href);
        return route.abort();
      });
      await page.goto(`http://127.0.0.1:${port}/docs`);
      await page.locator('.swagger-ui .info .title').waitFor({ timeout: 30_000 });
      expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Stellar anchor');
      await page.locator('.opblock-tag-section').first().waitFor({ timeout: 30_000 });
      const tags = await page.locator('.opblock-tag').allInnerTexts();
      expect(tags.join(' ')).toMatch(/admin/);
      expect(external).toEqual([]);
    } finally {
      await browser.close();
      server.close();
    }
  });
});

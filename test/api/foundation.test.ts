import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { createTestApiDeps, type TestApiDeps } from '../helpers/api.js';
import { testConfig } from '../helpers/config.js';

describe('API foundation: health, readiness, error shape, CORS', () => {
  let api: TestApiDeps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    const config = testConfig({ HORIZON_URL: 'http://127.0.0.1:9' }); // nothing listens on port 9
    api = await createTestApiDeps(config);
    app = createApp(api.deps);
    app.get('/boom', () => {
      throw new Error('database password is hunter2');
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('GET /health answers 200 with a request id', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });

  it('GET /ready reports Postgres, Temporal and Horizon by name', async () => {
    const res = await app.request('/ready');
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(body.checks.postgres?.status).toBe('ok');
    expect(body.checks.temporal?.status).toBe('ok');
    expect(body.checks.horizon?.status).toBe('unavailable');
    expect(body.status).toBe('not_ready');
    expect(res.status).toBe(503);
  });

  it('X-07: unknown routes give 404 {"error"} as JSON', async () => {
    const res = await app.request('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: expect.stringContaining('/no/such/route') });
  });

  it('X-07: an unexpected failure is a 500 {"error"} with the request id and no leaked detail', async () => {
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string };
    expect(body.error).toContain(res.headers.get('x-request-id')!);
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts/);
  });

  it('X-02: Access-Control-Allow-Origin: * on 200, 404 and 500 responses', async () => {
    for (const path of ['/health', '/no/such/route', '/boom']) {
      const res = await app.request(path, { headers: { Origin: 'https://wallet.example' } });
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
    }
  });

  it('X-03: preflight answers 2xx with methods and the Authorization header allowed', async () => {
    const res = await app.request('/health', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://wallet.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'Authorization, Content-Type',
      },
    });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/GET.*POST.*PUT.*DELETE/);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('keeps the admin surface out of CORS', async () => {
    const res = await app.request('/admin/anything', { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

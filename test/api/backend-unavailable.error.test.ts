import { Keypair } from '@stellar/stellar-sdk';
import { Hono } from 'hono';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { errorHandler, isBackendUnavailable } from '../../api/middleware/errors.js';
import { createLogger } from '../../config/logger.js';
import { createDb } from '../../db/index.js';
import { bearer, createSep24Api, type Sep24Api } from './sep24.helpers.js';

/**
 * Postgres restarting or out of reach is not the caller's fault and not a bug: a 503 in the SEP error shape
 * with Retry-After, never a 500 (the full fault run saw 6 × 500 during its Postgres restart; issue 15).
 */
describe('a backend out of reach gives 503 with Retry-After, not 500', () => {
  let api: Sep24Api;
  beforeAll(async () => {
    api = await createSep24Api({}, { prefix: 'unavail' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('Postgres refusing connections: SEP-24 GET /transactions answers 503 {"error"} in the caller language', async () => {
    // Nothing listens on port 9: every pool connect is refused, as while Postgres restarts.
    const down = createDb({ url: 'postgres://anchor@127.0.0.1:9/anchor', poolSize: 1 });
    try {
      const app = createApp({ ...api.deps, db: down });
      const token = await api.tokenFor(Keypair.random().publicKey());
      const res = await app.request('/sep24/transactions?asset_code=USDC&lang=es', {
        headers: bearer(token),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as Record<string, string>;
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toMatch(/no está disponible.*inténtalo de nuevo en 5 segundos/);
      expect(body.error).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
      // The same database up answers 200: the 503 is about the backend, not the request.
      const ok = await api.request('/sep24/transactions?asset_code=USDC', { headers: bearer(token) });
      expect(ok.status).toBe(200);
    } finally {
      await down.destroy();
    }
  });

  it('a connection Postgres terminates mid-query (57P01, what a restart does) is a 503 too', async () => {
    const client = new pg.Client({ connectionString: inject('pgUrl') });
    await client.connect();
    const killer = new pg.Client({ connectionString: inject('pgUrl') });
    await killer.connect();
    client.on('error', () => {}); // the terminated socket also emits 'error'
    try {
      const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const app = new Hono();
      app.onError(errorHandler(createLogger('test', 'silent')));
      app.get('/slow', async (c) => {
        await Promise.all([
          client.query('select pg_sleep(30)'),
          killer.query('select pg_terminate_backend($1)', [pid]),
        ]);
        return c.text('unreachable');
      });
      const res = await app.request('/slow');
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toMatch(/briefly unavailable/);
    } finally {
      await killer.end();
      await client.end().catch(() => {});
    }
  });

  it('a bug is still a 500: only "not now" errors are classed as unavailable', () => {
    expect(isBackendUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isBackendUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isBackendUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isBackendUnavailable(new AggregateError([refused]))).toBe(true);
    expect(isBackendUnavailable(new Error('wrapped', { cause: refused }))).toBe(true);
  });
});

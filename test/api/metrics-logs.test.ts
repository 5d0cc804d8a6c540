import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { REDACT_PATHS } from '../../config/logger.js';
import { createTestApiDeps, type TestApiDeps } from '../helpers/api.js';
import { testConfig } from '../helpers/config.js';
import { adminKey, adminKeysEnv, seedTransaction } from './admin-helpers.js';

describe('structured request logs: request id and transaction id, no credentials (issue 9)', () => {
  let api: TestApiDeps;
  const lines: Record<string, unknown>[] = [];
  const ops = adminKey('ops', '*');
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    api = await createTestApiDeps(testConfig({ ADMIN_API_KEYS: adminKeysEnv([ops]) }), {
      schemaPrefix: 'log',
      logger,
    });
    app = createApp(api.deps);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('logs one JSON line per request with requestId, route template and transactionId', async () => {
    const tx = await seedTransaction(api.tdb.db);
    const res = await app.request(`/admin/transactions/${tx.id}`, {
      headers: { Authorization: `Bearer ${ops.raw}`, 'X-Request-Id': 'req-log-1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-log-1');
    const request = lines.find((l) => l.msg === 'request' && l.requestId === 'req-log-1');
    expect(request).toMatchObject({
      method: 'GET',
      route: '/admin/transactions/:id',
      status: 200,
      transactionId: tx.id,
    });
    const admin = lines.find((l) => l.msg === 'admin action' && l.requestId === 'req-log-1');
    expect(admin).toMatchObject({ actor: 'ops', action: 'transactions.view', target: tx.id, outcome: 'ok' });
    expect(JSON.stringify(lines)).not.toContain(ops.raw);
  });
});

import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { REDACT_PATHS } from '../../config/logger.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { adminKey, adminKeysEnv, seedTransaction } from './admin-helpers.js';

describe('structured request logs: request id and transaction id, no credentials (issue 9)', () => {
  let tdb: TestDb;
  let connection: Connection;
  const lines: Record<string, unknown>[] = [];
  const ops = adminKey('ops', '*');
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    tdb = await createTestDb('log');
    connection = await Connection.connect({ address: inject('temporalAddress') });
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    app = createApp({
      config: testConfig({ ADMIN_API_KEYS: adminKeysEnv([ops]) }),
      db: tdb.db,
      temporal: new Client({ connection, namespace: 'default' }),
      logger,
    });
  });
  afterAll(async () => {
    await connection?.close();
    await tdb?.destroy();
  });

  it('logs one JSON line per request with requestId, route template and transactionId', async () => {
    const tx = await seedTransaction(tdb.db);
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

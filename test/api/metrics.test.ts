import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { setupSandboxAccounts } from '../../scripts/accounts-setup.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';
import { adminKey, adminKeysEnv, seedTransaction } from './admin-helpers.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Strict Prometheus text exposition (0.0.4) parser: every line is a HELP, a TYPE or a sample with a valid metric
 * name, well-formed escaped labels and a float value; every sample belongs to a family whose TYPE came first;
 * histogram buckets carry `le` and are cumulative. Throws on the first violation.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
  const sampleRe = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?,?\\})? (\\S+)(?: (-?\\d+))?$`);
  // Values are what Go's strconv.ParseFloat accepts (Prometheus' own parser): NaN and Inf in any letter case —
  // prom-client writes an unsampled event-loop gauge as "Nan".
  const valueRe =
    /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?(?:inf|infinity)|nan)$/i;
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const [i, line] of text.slice(0, -1).split('\n').entries()) {
    if (line === '') continue;
    if (new RegExp(`^# HELP (${NAME}) (.*)$`).test(line)) continue;
    const typeLine = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (typeLine) {
      if (types.has(typeLine[1]!)) throw new Error(`line ${i + 1}: second TYPE for ${typeLine[1]}`);
      types.set(typeLine[1]!, typeLine[2]!);
      continue;
    }
    if (line.startsWith('#')) throw new Error(`line ${i + 1}: unknown comment: ${line}`);
    const m = sampleRe.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const [, name, labelText, value] = m as unknown as [string, string, string | undefined, string];
    if (!valueRe.test(value)) throw new Error(`line ${i + 1}: bad value ${value}: ${line}`);
    const family = name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(name) && !(types.get(family) === 'histogram' || types.get(family) === 'summary')) {
      throw new Error(`line ${i + 1}: sample ${name} before its TYPE`);
    }
    const labels: Record<string, string> = {};
    for (const lm of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[lm[1]!] = lm[2]!;
    if (name.endsWith('_bucket') && types.get(family) === 'histogram' && !('le' in labels)) {
      throw new Error(`line ${i + 1}: histogram bucket without le`);
    }
    samples.push({
      name,
      labels,
      value: Number(value.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity').replace(/^nan$/i, 'NaN')),
    });
  }
  return { types, samples };
}

describe('/metrics: Prometheus exposition (issue 9)', () => {
  let hz: SandboxHorizonHandle;
  let tdb: TestDb;
  let connection: Connection;
  const ops = adminKey('ops', '*');

  beforeAll(async () => {
    hz = await startSandboxHorizon();
    tdb = await createTestDb('met');
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await connection?.close();
    await tdb?.destroy();
    await hz?.stop();
  });

  it('parses strictly and reports latency by route template, transactions by kind/status, distribution balance', async () => {
    const config = testConfig({ HORIZON_URL: hz.url, ADMIN_API_KEYS: adminKeysEnv([ops]) });
    await setupSandboxAccounts(config, { horizon: hz.server, workingBalance: '1234.5' });
    const app = createApp({
      config,
      db: tdb.db,
      temporal: new Client({ connection, namespace: 'default' }),
      logger: createLogger('test', 'silent'),
    });
    const tx = await seedTransaction(tdb.db, { kind: 'deposit', status: 'pending_anchor' });
    await seedTransaction(tdb.db, { kind: 'deposit', status: 'pending_anchor' });
    await seedTransaction(tdb.db, { kind: 'withdrawal', status: 'completed' });
    expect(
      (await app.request(`/admin/transactions/${tx.id}`, { headers: { Authorization: `Bearer ${ops.raw}` } }))
        .status,
    ).toBe(200);
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/no/such/route')).status).toBe(404);

    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { types, samples } = parseExposition(await res.text());

    expect(types.get('anchor_http_request_duration_seconds')).toBe('histogram');
    const routes = new Set(
      samples
        .filter((s) => s.name === 'anchor_http_request_duration_seconds_count')
        .map((s) => s.labels.route),
    );
    expect(routes).toContain('/admin/transactions/:id');
    expect(routes).toContain('/health');
    expect(routes).toContain('unmatched');
    expect([...routes].some((r) => r?.includes(tx.id))).toBe(false);

    const txGauge = (kind: string, status: string) =>
      samples.find(
        (s) => s.name === 'anchor_transactions' && s.labels.kind === kind && s.labels.status === status,
      )?.value;
    expect(txGauge('deposit', 'pending_anchor')).toBe(2);
    expect(txGauge('withdrawal', 'completed')).toBe(1);

    expect(samples.find((s) => s.name === 'anchor_distribution_balance')).toMatchObject({
      labels: { asset_code: 'USDC' },
      value: 1234.5,
    });
    expect(samples.find((s) => s.name === 'anchor_horizon_up')?.value).toBe(1);
    expect(samples.find((s) => s.name === 'anchor_distribution_alert_balance')?.value).toBe(100);
    expect(types.get('anchor_workflows')).toBe('gauge');
    expect(samples.some((s) => s.name === 'anchor_workflows' && s.labels.status === 'Running')).toBe(true);
    expect(types.get('anchor_observer_lag_seconds')).toBe('gauge');
    expect(types.get('anchor_topups')).toBe('gauge');
  });

  it('the strict parser rejects malformed exposition', () => {
    expect(() => parseExposition('foo 1\n')).toThrow(/before its TYPE/);
    expect(() => parseExposition('# TYPE foo gauge\nfoo{a="x} 1\n')).toThrow(/not a sample/);
    expect(() => parseExposition('# TYPE foo gauge\nfoo one\n')).toThrow(/bad value/);
  });
});

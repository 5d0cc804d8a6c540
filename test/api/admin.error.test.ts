import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, adminTestApp, call, seedTransaction } from './admin-helpers.js';

describe('admin API errors: validation and state conflicts, all {"error"} and audited (issue 9)', () => {
  const ops = adminKey('ops', '*');
  let t: Awaited<ReturnType<typeof adminTestApp>>;

  beforeAll(async () => {
    t = await adminTestApp([ops]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('400 names every bad filter', async () => {
    const res = await call(t.app, 'GET', '/admin/transactions?status=bogus&limit=0&from=yesterday', {
      key: ops.raw,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(/status/);
    expect(error).toMatch(/limit/);
    expect(error).toMatch(/from/);
  });

  it('400 on a cursor this API did not issue', async () => {
    const res = await call(t.app, 'GET', '/admin/transactions?cursor=garbage', { key: ops.raw });
    expect(res.status).toBe(400);
  });

  it('400 on a bad decision body, 404 on an unknown transaction, 409 on a deposit or a finished workflow', async () => {
    const bad = await call(t.app, 'POST', '/admin/withdrawals/x/decision', {
      key: ops.raw,
      body: { decision: 'maybe' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/decision/);
    const notJson = await call(t.app, 'POST', '/admin/withdrawals/x/decision', {
      key: ops.raw,
      body: 'nope{',
    });
    expect(notJson.status).toBe(400);

    const missing = await call(t.app, 'POST', '/admin/withdrawals/does-not-exist/decision', {
      key: ops.raw,
      body: { decision: 'approve' },
    });
    expect(missing.status).toBe(404);

    const deposit = await seedTransaction(t.db, { kind: 'deposit' });
    const wrongKind = await call(t.app, 'POST', `/admin/withdrawals/${deposit.id}/decision`, {
      key: ops.raw,
      body: { decision: 'approve' },
    });
    expect(wrongKind.status).toBe(409);

    const withdrawal = await seedTransaction(t.db, { kind: 'withdrawal' });
    const noWorkflow = await call(t.app, 'POST', `/admin/withdrawals/${withdrawal.id}/decision`, {
      key: ops.raw,
      body: { decision: 'reject', reason: 'sanctions hit' },
    });
    expect(noWorkflow.status).toBe(409);
    expect(await noWorkflow.json()).toEqual({ error: `workflow withdraw-${withdrawal.id} is not running` });
    const audit = await t.db
      .selectFrom('admin_audit')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      actor: 'ops',
      action: 'withdrawal.decision',
      target: withdrawal.id,
      outcome: 'error',
      status_code: 409,
    });
  });

  it('404 for an unknown top-up; unknown admin routes are 404 {"error"}', async () => {
    const res = await call(t.app, 'POST', '/admin/topups/nope/signed-envelope', {
      key: ops.raw,
      body: { envelope_xdr: 'AAAA' },
    });
    expect(res.status).toBe(404);
    const unknown = await call(t.app, 'GET', '/admin/nothing-here', { key: ops.raw });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.any(String) });
  });
});

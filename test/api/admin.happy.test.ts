import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTopUp } from '../../db/topups.js';
import { adminKey, adminTestApp, call, seedTransaction } from './admin-helpers.js';

/** Starts a workflow nobody polls: it stays Running, so signals land in its history where we can read them. */
async function parkedWorkflow(t: Awaited<ReturnType<typeof adminTestApp>>, workflowId: string) {
  return t.temporal.workflow.start('parkedWorkflow', {
    taskQueue: `parked-${randomBytes(4).toString('hex')}`,
    workflowId,
  });
}

async function signalsOf(t: Awaited<ReturnType<typeof adminTestApp>>, workflowId: string) {
  const history = await t.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.workflowExecutionSignaledEventAttributes)
    .map((e) => {
      const a = e.workflowExecutionSignaledEventAttributes!;
      const payload = a.input?.payloads?.[0]?.data;
      return {
        name: a.signalName,
        arg: payload ? JSON.parse(Buffer.from(payload).toString('utf8')) : undefined,
      };
    });
}

describe('admin API: happy paths (issue 9)', () => {
  const ops = adminKey('alice', '*');
  let t: Awaited<ReturnType<typeof adminTestApp>>;

  beforeAll(async () => {
    t = await adminTestApp([ops]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('searches transactions by status, kind, account and date, with keyset paging', async () => {
    const other = 'GCEZWKCA5VLDNRLN3RPRJMRZOX3Z6G5CHCGSNFHEYVXM3XOJMDS674JZ';
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tx = await seedTransaction(t.db, {
        kind: 'deposit',
        status: 'pending_anchor',
        started_at: new Date(Date.UTC(2026, 0, 1 + i)),
      });
      ids.push(tx.id);
    }
    await seedTransaction(t.db, {
      kind: 'deposit',
      status: 'completed',
      stellar_account: other,
      sub: other,
      sub_account: other,
    });

    const page1 = await call(t.app, 'GET', '/admin/transactions?status=pending_anchor&kind=deposit&limit=2', {
      key: ops.raw,
    });
    expect(page1.status).toBe(200);
    const b1 = (await page1.json()) as { transactions: { id: string }[]; next_cursor: string | null };
    expect(b1.transactions.map((x) => x.id)).toEqual([ids[2], ids[1]]);
    expect(b1.next_cursor).toBeTruthy();
    const page2 = await call(
      t.app,
      'GET',
      `/admin/transactions?status=pending_anchor&kind=deposit&limit=2&cursor=${b1.next_cursor}`,
      { key: ops.raw },
    );
    const b2 = (await page2.json()) as { transactions: { id: string }[]; next_cursor: string | null };
    expect(b2.transactions.map((x) => x.id)).toEqual([ids[0]]);
    expect(b2.next_cursor).toBeNull();

    const byAccount = (await (
      await call(t.app, 'GET', `/admin/transactions?account=${other}`, { key: ops.raw })
    ).json()) as { transactions: { status: string }[] };
    expect(byAccount.transactions.map((x) => x.status)).toEqual(['completed']);

    const byDate = (await (
      await call(t.app, 'GET', '/admin/transactions?from=2026-01-02T00:00:00Z&to=2026-01-03T00:00:00Z', {
        key: ops.raw,
      })
    ).json()) as { transactions: { id: string }[] };
    expect(byDate.transactions.map((x) => x.id)).toEqual([ids[1]]);
  });

  it('shows one transaction with its Temporal UI workflow link', async () => {
    const tx = await seedTransaction(t.db, { kind: 'deposit' });
    const res = await call(t.app, 'GET', `/admin/transactions/${tx.id}`, { key: ops.raw });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { transaction: { id: string }; workflow: { id: string; url: string } };
    expect(body.transaction.id).toBe(tx.id);
    expect(body.workflow.id).toBe(`deposit-${tx.id}`);
    expect(body.workflow.url).toBe(
      `${t.config.temporal.uiUrl}/namespaces/default/workflows/deposit-${tx.id}`,
    );
  });

  it('approves a withdrawal by signalling operatorDecision to withdraw-<id>, naming the operator', async () => {
    const tx = await seedTransaction(t.db, { kind: 'withdrawal' });
    await parkedWorkflow(t, `withdraw-${tx.id}`);
    const res = await call(t.app, 'POST', `/admin/withdrawals/${tx.id}/decision`, {
      key: ops.raw,
      body: { decision: 'approve', reason: 'checked' },
      headers: { 'X-Request-Id': 'req-approve-1' },
    });
    expect(res.status).toBe(202);
    expect(await signalsOf(t, `withdraw-${tx.id}`)).toEqual([
      { name: 'operatorDecision', arg: { decision: 'approve', operator: 'alice', reason: 'checked' } },
    ]);
    const audit = await t.db
      .selectFrom('admin_audit')
      .selectAll()
      .where('request_id', '=', 'req-approve-1')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'alice',
      action: 'withdrawal.decision',
      target: tx.id,
      outcome: 'ok',
      status_code: 202,
    });
    expect(audit[0]!.detail).toEqual({ decision: 'approve', reason: 'checked' });
    await t.temporal.workflow.getHandle(`withdraw-${tx.id}`).terminate('test done');
  });

  it('triggers a refund by signalling operatorRefund', async () => {
    const tx = await seedTransaction(t.db, { kind: 'deposit', status: 'pending_anchor' });
    await parkedWorkflow(t, `deposit-${tx.id}`);
    const res = await call(t.app, 'POST', `/admin/transactions/${tx.id}/refund`, {
      key: ops.raw,
      body: { reason: 'customer asked' },
    });
    expect(res.status).toBe(202);
    expect(await signalsOf(t, `deposit-${tx.id}`)).toEqual([
      { name: 'operatorRefund', arg: { operator: 'alice', reason: 'customer asked' } },
    ]);
    await t.temporal.workflow.getHandle(`deposit-${tx.id}`).terminate('test done');
  });

  it('lists pending top-ups with their unsigned XDR and forwards a signed envelope to the workflow', async () => {
    const workflowId = `topup-test-${randomBytes(4).toString('hex')}`;
    await parkedWorkflow(t, workflowId);
    await insertTopUp(t.db, {
      id: workflowId,
      workflowId,
      status: 'awaiting_signature',
      assetCode: 'USDC',
      amount: '9000',
      balanceBefore: '1000',
      unsignedXdr: 'AAAA-unsigned',
      txHash: randomBytes(32).toString('hex'),
    });
    const list = (await (
      await call(t.app, 'GET', '/admin/topups?status=awaiting_signature', { key: ops.raw })
    ).json()) as {
      topups: { id: string; unsigned_xdr: string; amount: string }[];
    };
    expect(list.topups).toEqual([
      expect.objectContaining({ id: workflowId, unsigned_xdr: 'AAAA-unsigned', amount: '9000.0000000' }),
    ]);

    const res = await call(t.app, 'POST', `/admin/topups/${workflowId}/signed-envelope`, {
      key: ops.raw,
      body: { envelope_xdr: 'AAAA-signed' },
    });
    expect(res.status).toBe(202);
    expect(await signalsOf(t, workflowId)).toEqual([
      { name: 'signedEnvelope', arg: { envelopeXdr: 'AAAA-signed', submittedBy: 'alice' } },
    ]);
    await t.temporal.workflow.getHandle(workflowId).terminate('test done');
  });

  it('lists and exports KYC status only: no personal fields', async () => {
    await t.db
      .insertInto('customers')
      .values([
        {
          id: 'cus-1',
          account: 'GBZXN7PIRZGNMHGA7MUUUF4GWPY5AYPV6LY4UV2GL6VJGIQRXFDNMADI',
          memo: '',
          status: 'ACCEPTED',
        },
        {
          id: 'cus-2',
          account: 'GCEZWKCA5VLDNRLN3RPRJMRZOX3Z6G5CHCGSNFHEYVXM3XOJMDS674JZ',
          memo: '42',
          status: 'NEEDS_INFO',
        },
      ])
      .execute();
    const res = await call(t.app, 'GET', '/admin/kyc?status=ACCEPTED', { key: ops.raw });
    const body = (await res.json()) as { customers: Record<string, unknown>[] };
    expect(body.customers).toHaveLength(1);
    expect(Object.keys(body.customers[0]!).sort()).toEqual(['account', 'id', 'memo', 'status', 'updated_at']);

    const csv = await call(t.app, 'GET', '/admin/kyc/export', { key: ops.raw });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('id,account,memo,status,updated_at');
    expect(lines).toHaveLength(3);
  });

  it('lists open operator alerts and acknowledges one (409 the second time)', async () => {
    const row = await t.db
      .insertInto('alerts')
      .values({ kind: 'payout_failed', transaction_id: 'tx-alert-1', message: 'the bank refused the payout' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const list = (await (
      await call(t.app, 'GET', '/admin/alerts?kind=payout_failed', { key: ops.raw })
    ).json()) as {
      alerts: { id: string; transaction_id: string; acknowledged_at: string | null }[];
    };
    expect(list.alerts).toEqual([
      expect.objectContaining({ id: String(row.id), transaction_id: 'tx-alert-1', acknowledged_at: null }),
    ]);
    expect((await call(t.app, 'POST', `/admin/alerts/${row.id}/ack`, { key: ops.raw })).status).toBe(200);
    expect((await call(t.app, 'POST', `/admin/alerts/${row.id}/ack`, { key: ops.raw })).status).toBe(409);
    const open = (await (
      await call(t.app, 'GET', '/admin/alerts?kind=payout_failed', { key: ops.raw })
    ).json()) as {
      alerts: unknown[];
    };
    expect(open.alerts).toEqual([]);
  });

  it('every admin request lands in the audit trail, readable at /admin/audit', async () => {
    const res = await call(t.app, 'GET', '/admin/audit?limit=500', { key: ops.raw });
    const { entries } = (await res.json()) as {
      entries: { action: string; actor: string; outcome: string }[];
    };
    const actions = new Set(entries.map((e) => e.action));
    for (const a of [
      'transactions.search',
      'transactions.view',
      'withdrawal.decision',
      'transaction.refund',
      'topups.list',
      'topup.submit_signed',
      'kyc.list',
      'kyc.export',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(entries.every((e) => e.actor === 'alice')).toBe(true);
    // The one non-ok entry is the deliberate second acknowledgement (409).
    expect(entries.filter((e) => e.outcome !== 'ok').map((e) => [e.action, e.outcome])).toEqual([
      ['alert.ack', 'error'],
    ]);
  });
});

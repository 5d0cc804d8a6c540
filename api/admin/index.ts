import { Hono } from 'hono';
import type { z } from 'zod';
import {
  AdminActionError,
  acknowledgeOperatorAlert,
  attachUnmatched,
  decideWithdrawal,
  refundTransaction,
  refundUnmatched,
  submitTopUpEnvelope,
  workflowIdFor,
  workflowUrl,
} from '../../core/admin/actions.js';
import { maskAccount } from '../../core/bank/mask.js';
import {
  InvalidCursorError,
  listKycStatuses as listKycStatusesPage,
  searchTransactions as searchTransactionsPage,
} from '../../db/admin-search.js';
import { listAlerts } from '../../db/alerts.js';
import { listAdminActions } from '../../db/audit.js';
import { listUnmatchedTransfers } from '../../db/bank.js';
import type { TransactionRow } from '../../db/schema.js';
import { getTopUp, listTopUps, type TopUpRow } from '../../db/topups.js';
import { getTransaction } from '../../db/transactions.js';
import type { ApiDeps } from '../deps.js';
import { badRequest, HttpError, notFound } from '../middleware/errors.js';
import { auditTrail } from './audit.js';
import { type AdminEnv, adminAction, requireAdminKey } from './auth.js';
import { runDoctor } from './doctor.js';
import * as s from './schemas.js';

/** A cursor this API never issued is the caller's mistake: 400, not 500. */
async function withCursor<T>(page: Promise<T>): Promise<T> {
  try {
    return await page;
  } catch (err) {
    if (err instanceof InvalidCursorError) throw badRequest(err.message);
    throw err;
  }
}
const searchTransactions: typeof searchTransactionsPage = (db, q) =>
  withCursor(searchTransactionsPage(db, q));
const listKycStatuses: typeof listKycStatusesPage = (db, q) => withCursor(listKycStatusesPage(db, q));

export { workflowIdFor, workflowUrl };

/** The admin service's refusals as HTTP (the console renders the same ones as pages). */
async function act<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AdminActionError) {
      const status = err.kind === 'not_found' ? 404 : err.kind === 'conflict' ? 409 : 502;
      throw new HttpError(status, err.message, err.code);
    }
    throw err;
  }
}

function toAdminTransaction(t: TransactionRow): z.infer<typeof s.adminTransaction> {
  return {
    id: t.id,
    kind: t.kind,
    status: t.status,
    sub: t.sub,
    stellar_account: t.stellar_account,
    asset_code: t.asset_code,
    amount_expected: t.amount_expected,
    amount_in: t.amount_in,
    amount_out: t.amount_out,
    amount_fee: t.amount_fee,
    stellar_transaction_id: t.stellar_transaction_id,
    external_transaction_id: t.external_transaction_id,
    bank_reference: t.bank_reference,
    message: t.message,
    started_at: t.started_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
    completed_at: t.completed_at?.toISOString() ?? null,
  };
}

function toTopUp(t: TopUpRow): z.infer<typeof s.topUp> {
  return {
    id: t.id,
    workflow_id: t.workflow_id,
    status: t.status,
    asset_code: t.asset_code,
    amount: t.amount,
    balance_before: t.balance_before,
    tx_hash: t.tx_hash,
    unsigned_xdr: t.unsigned_xdr,
    last_rejection: t.last_rejection,
    ledger: t.ledger,
    created_at: t.created_at.toISOString(),
    completed_at: t.completed_at?.toISOString() ?? null,
  };
}

async function jsonBody<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw badRequest('body must be a JSON object');
  }
  return schema.parse(raw);
}

/**
 * The operator surface at /admin: API keys with scopes (never SEP-10 tokens), every request audited in
 * `admin_audit`, never CORS-open (api/app.ts). Personal data stays out: KYC is status only.
 */
export function adminApp(deps: ApiDeps) {
  const { db, config, temporal } = deps;
  const app = new Hono<AdminEnv>();
  app.use('*', auditTrail(db, deps.logger));
  app.use('*', requireAdminKey(config));

  // --- transactions ---------------------------------------------------------------------------------------
  app.get('/transactions', adminAction('transactions.search', 'transactions:read'), async (c) => {
    const q = s.transactionSearchQuery.parse(c.req.query());
    c.set('auditDetail', { status: q.status, kind: q.kind, from: q.from, to: q.to });
    const { rows, nextCursor } = await searchTransactions(db, q);
    return c.json({ transactions: rows.map(toAdminTransaction), next_cursor: nextCursor });
  });

  app.get('/transactions/:id', adminAction('transactions.view', 'transactions:read'), async (c) => {
    const tx = await getTransaction(db, c.req.param('id'));
    if (!tx) throw notFound('no transaction with this id');
    const workflowId = workflowIdFor(tx);
    return c.json({
      transaction: toAdminTransaction(tx),
      workflow: { id: workflowId, url: workflowUrl(config, workflowId) },
    });
  });

  app.post(
    '/withdrawals/:id/decision',
    adminAction('withdrawal.decision', 'transactions:write'),
    async (c) => {
      const body = await jsonBody(c.req.raw, s.withdrawalDecisionBody);
      c.set('auditDetail', { decision: body.decision, reason: body.reason });
      const { workflowId } = await act(() =>
        decideWithdrawal(deps, {
          transactionId: c.req.param('id'),
          decision: body.decision,
          reason: body.reason,
          operator: c.get('admin').name,
        }),
      );
      return c.json({ status: 'accepted', workflow_id: workflowId }, 202);
    },
  );

  app.post('/transactions/:id/refund', adminAction('transaction.refund', 'transactions:write'), async (c) => {
    const body = await jsonBody(c.req.raw, s.refundBody);
    c.set('auditDetail', { reason: body.reason });
    const { workflowId } = await act(() =>
      refundTransaction(deps, {
        transactionId: c.req.param('id'),
        reason: body.reason,
        operator: c.get('admin').name,
      }),
    );
    return c.json({ status: 'accepted', workflow_id: workflowId }, 202);
  });

  // --- top-ups ---------------------------------------------------------------------------------------------
  app.get('/topups', adminAction('topups.list', 'topups:read'), async (c) => {
    const q = s.topUpQuery.parse(c.req.query());
    return c.json({ topups: (await listTopUps(db, q.status, q.limit)).map(toTopUp) });
  });

  app.get('/topups/:id', adminAction('topups.view', 'topups:read'), async (c) => {
    const row = await getTopUp(db, c.req.param('id'));
    if (!row) throw notFound('no top-up with this id');
    return c.json(toTopUp(row));
  });

  app.post('/topups/:id/signed-envelope', adminAction('topup.submit_signed', 'topups:write'), async (c) => {
    const body = await jsonBody(c.req.raw, s.signedEnvelopeBody);
    const { workflowId, txHash } = await act(() =>
      submitTopUpEnvelope(deps, {
        topUpId: c.req.param('id'),
        envelopeXdr: body.envelope_xdr,
        operator: c.get('admin').name,
      }),
    );
    c.set('auditDetail', { tx_hash: txHash });
    return c.json({ status: 'accepted', workflow_id: workflowId }, 202);
  });

  // --- unmatched bank transfers (db/bank.ts queue) --------------------------------------------------------
  app.get('/bank/unmatched', adminAction('bank.unmatched.list', 'transactions:read'), async (c) => {
    const q = s.unmatchedQuery.parse(c.req.query());
    const rows = await listUnmatchedTransfers(db, { state: q.state, limit: q.limit });
    return c.json({
      transfers: rows.map((r) => ({
        bank_transfer_id: r.bank_transfer_id,
        state: r.state,
        reason: r.reason,
        detail: r.detail,
        amount: r.amount,
        currency: r.currency,
        reference: r.reference,
        from_account: maskAccount(r.from_account),
        candidate_transaction_ids: r.candidate_transaction_ids ?? [],
        booked_at: r.booked_at.toISOString(),
        created_at: r.created_at.toISOString(),
        resolved_transaction_id: r.resolved_transaction_id,
        resolved_by: r.resolved_by,
      })),
    });
  });

  app.post('/bank/unmatched/:id/attach', adminAction('bank.unmatched.attach', 'bank:write'), async (c) => {
    const body = await jsonBody(c.req.raw, s.unmatchedAttachBody);
    c.set('auditDetail', { transaction_id: body.transaction_id });
    const result = await act(() =>
      attachUnmatched(deps, {
        bankTransferId: c.req.param('id'),
        transactionId: body.transaction_id,
        note: body.note,
        operator: c.get('admin').name,
      }),
    );
    return c.json({ status: 'accepted', result: result.result }, 202);
  });

  app.post('/bank/unmatched/:id/refund', adminAction('bank.unmatched.refund', 'bank:write'), async (c) => {
    const body = await jsonBody(c.req.raw, s.unmatchedRefundBody);
    c.set('auditDetail', { reason: body.reason });
    const { refundId } = await act(() =>
      refundUnmatched(deps, {
        bankTransferId: c.req.param('id'),
        reason: body.reason,
        operator: c.get('admin').name,
      }),
    );
    return c.json({ status: 'refunded', refund_id: refundId });
  });

  // --- KYC (status only) -----------------------------------------------------------------------------------
  app.get('/kyc', adminAction('kyc.list', 'kyc:read'), async (c) => {
    const q = s.kycQuery.parse(c.req.query());
    const { rows, nextCursor } = await listKycStatuses(db, q);
    return c.json({
      customers: rows.map((r) => ({
        id: r.id,
        account: r.account,
        memo: r.memo === '' ? null : r.memo,
        status: r.status,
        updated_at: r.updated_at.toISOString(),
      })),
      next_cursor: nextCursor,
    });
  });

  app.get('/kyc/export', adminAction('kyc.export', 'kyc:read'), async (c) => {
    const q = s.kycQuery.parse({ ...c.req.query(), limit: c.req.query('limit') ?? '500' });
    const lines = ['id,account,memo,status,updated_at'];
    let cursor = q.cursor;
    let total = 0;
    do {
      const page = await listKycStatuses(db, { status: q.status, limit: 500, cursor });
      for (const r of page.rows) {
        lines.push([r.id, r.account, r.memo, r.status, r.updated_at.toISOString()].map(csvCell).join(','));
      }
      total += page.rows.length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    c.set('auditDetail', { rows: total, status: q.status });
    return c.body(`${lines.join('\n')}\n`, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="kyc-status.csv"',
    });
  });

  // --- readiness (every doctor check) ------------------------------------------------------------------------
  app.get('/ready', adminAction('ops.ready', 'ops:read'), async (c) => {
    const checks = await runDoctor({ config, db, temporal, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
    const ok = checks.every((r) => r.ok);
    return c.json({ status: ok ? 'ready' : 'not_ready', checks }, ok ? 200 : 503);
  });

  // --- operator alerts (payout failures, top-ups awaiting signatures, ...) ------------------------------------
  app.get('/alerts', adminAction('alerts.list', 'ops:read'), async (c) => {
    const q = s.alertQuery.parse(c.req.query());
    const rows = await listAlerts(db, q);
    return c.json({
      alerts: rows.map((r) => ({
        id: String(r.id),
        kind: r.kind,
        transaction_id: r.transaction_id,
        message: r.message,
        created_at: r.created_at.toISOString(),
        acknowledged_at: r.acknowledged_at?.toISOString() ?? null,
      })),
    });
  });

  app.post('/alerts/:id/ack', adminAction('alert.ack', 'ops:write'), async (c) => {
    await act(() => acknowledgeOperatorAlert(deps, c.req.param('id')));
    return c.json({ status: 'acknowledged' });
  });

  // --- audit trail -----------------------------------------------------------------------------------------
  app.get('/audit', adminAction('audit.list', 'ops:read'), async (c) => {
    const q = s.auditQuery.parse(c.req.query());
    const rows = await listAdminActions(db, {
      limit: q.limit,
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.target ? { target: q.target } : {}),
      ...(q.before_id ? { beforeId: q.before_id } : {}),
    });
    return c.json({
      entries: rows.map((r) => ({
        id: String(r.id),
        at: r.at.toISOString(),
        actor: r.actor,
        action: r.action,
        target: r.target,
        request_id: r.request_id,
        outcome: r.outcome,
        status_code: r.status_code,
      })),
    });
  });

  return app;
}

/** Spreadsheet-safe CSV cell: quoted, and a leading formula character neutralised. */
function csvCell(v: string | null): string {
  const text = v ?? '';
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

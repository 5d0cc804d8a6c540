import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AdminScope } from '../../config/admin-keys.js';
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
import { acceptBodies, JSON_TYPE } from '../openapi/bodies.js';
import { text } from '../openapi/fields.js';
import { createRouter } from '../openapi/hono.js';
import { adminSecurity, errorResponse, json, media } from '../openapi/responses.js';
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

const adminErrors = {
  401: errorResponse('no admin key, an invalid key, or a SEP-10 token'),
  403: errorResponse('the key lacks the scope'),
};
const idParam = z.object({ id: text(100) });
const jsonOnly = (schema: z.ZodType) =>
  acceptBodies(schema, [JSON_TYPE], { status: 415, message: 'send the body as application/json' });
const jsonRequest = <S extends z.ZodType>(schema: S) => ({
  required: false,
  content: { 'application/json': { schema } },
});

/** What every admin route declares: the tag, the admin key, its scope, and the audited action name. */
function operator(action: string, scope: AdminScope, ...more: MiddlewareHandler<AdminEnv>[]) {
  return {
    tags: ['admin'],
    security: adminSecurity,
    description: `Requires the admin scope \`${scope}\`.`,
    middleware: [adminAction(action, scope), ...more],
  };
}

/**
 * The operator surface at /admin: API keys with scopes (never SEP-10 tokens), every request audited in
 * `admin_audit`, never CORS-open (api/app.ts). Personal data stays out: KYC is status only.
 */
export function adminApp(deps: ApiDeps) {
  const { db, config, temporal } = deps;
  const app = createRouter<AdminEnv>();
  app.use('*', auditTrail(db, deps.logger));
  app.use('*', requireAdminKey(config));

  // --- transactions ---------------------------------------------------------------------------------------
  const search = createRoute({
    method: 'get',
    path: '/transactions',
    summary: 'Search transactions',
    ...operator('transactions.search', 'transactions:read'),
    request: { query: s.transactionSearchQuery },
    responses: { 200: json(s.transactionList, 'one page'), 400: errorResponse('bad filter'), ...adminErrors },
  });
  app.openapi(search, async (c) => {
    const q = c.req.valid('query');
    c.set('auditDetail', { status: q.status, kind: q.kind, from: q.from, to: q.to });
    const { rows, nextCursor } = await searchTransactions(db, q);
    return c.json({ transactions: rows.map(toAdminTransaction), next_cursor: nextCursor }, 200);
  });

  const view = createRoute({
    method: 'get',
    path: '/transactions/{id}',
    summary: 'One transaction with its Temporal workflow link',
    ...operator('transactions.view', 'transactions:read'),
    request: { params: idParam },
    responses: {
      200: json(s.transactionDetail, 'transaction'),
      404: errorResponse('no such transaction'),
      ...adminErrors,
    },
  });
  app.openapi(view, async (c) => {
    const tx = await getTransaction(db, c.req.valid('param').id);
    if (!tx) throw notFound('no transaction with this id');
    const workflowId = workflowIdFor(tx);
    return c.json(
      {
        transaction: toAdminTransaction(tx),
        workflow: { id: workflowId, url: workflowUrl(config, workflowId) },
      },
      200,
    );
  });

  const decision = createRoute({
    method: 'post',
    path: '/withdrawals/{id}/decision',
    summary: 'Approve or reject a withdrawal waiting for an operator',
    ...operator('withdrawal.decision', 'transactions:write', jsonOnly(s.withdrawalDecisionBody)),
    request: { params: idParam, body: jsonRequest(s.withdrawalDecisionBody) },
    responses: {
      202: json(s.accepted, 'signalled'),
      400: errorResponse('bad body'),
      404: errorResponse('no such transaction'),
      409: errorResponse('not a withdrawal, or its workflow is not running'),
      ...adminErrors,
    },
  });
  app.openapi(decision, async (c) => {
    const body = c.req.valid('json');
    c.set('auditDetail', { decision: body.decision, reason: body.reason });
    const { workflowId } = await act(() =>
      decideWithdrawal(deps, {
        transactionId: c.req.valid('param').id,
        decision: body.decision,
        reason: body.reason,
        operator: c.get('admin').name,
      }),
    );
    return c.json({ status: 'accepted' as const, workflow_id: workflowId }, 202);
  });

  const refund = createRoute({
    method: 'post',
    path: '/transactions/{id}/refund',
    summary: 'Ask the transaction workflow to refund',
    ...operator('transaction.refund', 'transactions:write', jsonOnly(s.refundBody)),
    request: { params: idParam, body: jsonRequest(s.refundBody) },
    responses: {
      202: json(s.accepted, 'signalled'),
      400: errorResponse('bad body'),
      404: errorResponse('no such transaction'),
      409: errorResponse('workflow not running'),
      ...adminErrors,
    },
  });
  app.openapi(refund, async (c) => {
    const body = c.req.valid('json');
    c.set('auditDetail', { reason: body.reason });
    const { workflowId } = await act(() =>
      refundTransaction(deps, {
        transactionId: c.req.valid('param').id,
        reason: body.reason,
        operator: c.get('admin').name,
      }),
    );
    return c.json({ status: 'accepted' as const, workflow_id: workflowId }, 202);
  });

  // --- top-ups ---------------------------------------------------------------------------------------------
  const topUps = createRoute({
    method: 'get',
    path: '/topups',
    summary: 'Distribution top-ups (pending ones carry the unsigned XDR)',
    ...operator('topups.list', 'topups:read'),
    request: { query: s.topUpQuery },
    responses: { 200: json(s.topUpList, 'top-ups'), 400: errorResponse('bad filter'), ...adminErrors },
  });
  app.openapi(topUps, async (c) => {
    const q = c.req.valid('query');
    return c.json({ topups: (await listTopUps(db, q.status, q.limit)).map(toTopUp) }, 200);
  });

  const oneTopUp = createRoute({
    method: 'get',
    path: '/topups/{id}',
    summary: 'One top-up',
    ...operator('topups.view', 'topups:read'),
    request: { params: idParam },
    responses: { 200: json(s.topUp, 'top-up'), 404: errorResponse('no such top-up'), ...adminErrors },
  });
  app.openapi(oneTopUp, async (c) => {
    const row = await getTopUp(db, c.req.valid('param').id);
    if (!row) throw notFound('no top-up with this id');
    return c.json(toTopUp(row), 200);
  });

  const signedEnvelope = createRoute({
    method: 'post',
    path: '/topups/{id}/signed-envelope',
    summary: 'Hand in the cold-signed top-up envelope',
    ...operator('topup.submit_signed', 'topups:write', jsonOnly(s.signedEnvelopeBody)),
    request: { params: idParam, body: jsonRequest(s.signedEnvelopeBody) },
    responses: {
      202: json(s.accepted, 'signalled; the workflow verifies signers and thresholds'),
      400: errorResponse('bad body'),
      404: errorResponse('no such top-up'),
      409: errorResponse('not awaiting a signature'),
      ...adminErrors,
    },
  });
  app.openapi(signedEnvelope, async (c) => {
    const body = c.req.valid('json');
    const { workflowId, txHash } = await act(() =>
      submitTopUpEnvelope(deps, {
        topUpId: c.req.valid('param').id,
        envelopeXdr: body.envelope_xdr,
        operator: c.get('admin').name,
      }),
    );
    c.set('auditDetail', { tx_hash: txHash });
    return c.json({ status: 'accepted' as const, workflow_id: workflowId }, 202);
  });

  // --- unmatched bank transfers (db/bank.ts queue) --------------------------------------------------------
  const unmatched = createRoute({
    method: 'get',
    path: '/bank/unmatched',
    summary: 'Bank transfers no deposit claimed (sender account masked)',
    ...operator('bank.unmatched.list', 'transactions:read'),
    request: { query: s.unmatchedQuery },
    responses: { 200: json(s.unmatchedList, 'queue'), 400: errorResponse('bad filter'), ...adminErrors },
  });
  app.openapi(unmatched, async (c) => {
    const q = c.req.valid('query');
    const rows = await listUnmatchedTransfers(db, { state: q.state, limit: q.limit });
    return c.json(
      {
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
      },
      200,
    );
  });

  const attach = createRoute({
    method: 'post',
    path: '/bank/unmatched/{id}/attach',
    summary: 'Attach an unmatched transfer to a deposit (signals deposit-<id>)',
    ...operator('bank.unmatched.attach', 'bank:write', jsonOnly(s.unmatchedAttachBody)),
    request: { params: idParam, body: jsonRequest(s.unmatchedAttachBody) },
    responses: {
      202: json(z.object({ status: z.literal('accepted'), result: z.string() }), 'attached'),
      400: errorResponse('bad body'),
      404: errorResponse('no such transfer or transaction'),
      409: errorResponse('not open, not a deposit, or already funded'),
      ...adminErrors,
    },
  });
  app.openapi(attach, async (c) => {
    const body = c.req.valid('json');
    c.set('auditDetail', { transaction_id: body.transaction_id });
    const result = await act(() =>
      attachUnmatched(deps, {
        bankTransferId: c.req.valid('param').id,
        transactionId: body.transaction_id,
        note: body.note,
        operator: c.get('admin').name,
      }),
    );
    return c.json({ status: 'accepted' as const, result: result.result }, 202);
  });

  const refundTransfer = createRoute({
    method: 'post',
    path: '/bank/unmatched/{id}/refund',
    summary: 'Send an unmatched transfer back to its sender (once)',
    ...operator('bank.unmatched.refund', 'bank:write', jsonOnly(s.unmatchedRefundBody)),
    request: { params: idParam, body: jsonRequest(s.unmatchedRefundBody) },
    responses: {
      200: json(z.object({ status: z.literal('refunded'), refund_id: z.string() }), 'refunded'),
      400: errorResponse('bad body'),
      404: errorResponse('no such transfer'),
      409: errorResponse('not open'),
      502: errorResponse('the bank refused the payout'),
      ...adminErrors,
    },
  });
  app.openapi(refundTransfer, async (c) => {
    const body = c.req.valid('json');
    c.set('auditDetail', { reason: body.reason });
    const { refundId } = await act(() =>
      refundUnmatched(deps, {
        bankTransferId: c.req.valid('param').id,
        reason: body.reason,
        operator: c.get('admin').name,
      }),
    );
    return c.json({ status: 'refunded' as const, refund_id: refundId }, 200);
  });

  // --- KYC (status only) -----------------------------------------------------------------------------------
  const kyc = createRoute({
    method: 'get',
    path: '/kyc',
    summary: 'KYC status per customer (no personal data)',
    ...operator('kyc.list', 'kyc:read'),
    request: { query: s.kycQuery },
    responses: { 200: json(s.kycList, 'statuses'), 400: errorResponse('bad filter'), ...adminErrors },
  });
  app.openapi(kyc, async (c) => {
    const q = c.req.valid('query');
    const { rows, nextCursor } = await listKycStatuses(db, q);
    return c.json(
      {
        customers: rows.map((r) => ({
          id: r.id,
          account: r.account,
          memo: r.memo === '' ? null : r.memo,
          status: r.status,
          updated_at: r.updated_at.toISOString(),
        })),
        next_cursor: nextCursor,
      },
      200,
    );
  });

  const kycExport = createRoute({
    method: 'get',
    path: '/kyc/export',
    summary: 'KYC statuses as CSV',
    ...operator('kyc.export', 'kyc:read'),
    request: { query: s.kycQuery.omit({ limit: true }) },
    responses: { 200: media('text/csv', 'CSV'), 400: errorResponse('bad filter'), ...adminErrors },
  });
  app.openapi(kycExport, async (c) => {
    const q = c.req.valid('query');
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
  const doctorReport = z.object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.array(z.object({ ok: z.boolean() }).loose()),
  });
  const ready = createRoute({
    method: 'get',
    path: '/ready',
    summary: 'Deep readiness: every doctor check',
    ...operator('ops.ready', 'ops:read'),
    responses: {
      200: json(doctorReport, 'all checks pass'),
      503: json(doctorReport, 'a check fails'),
      ...adminErrors,
    },
  });
  app.openapi(ready, async (c) => {
    const checks = await runDoctor({ config, db, temporal, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
    const ok = checks.every((r) => r.ok);
    return ok
      ? c.json({ status: 'ready' as const, checks }, 200)
      : c.json({ status: 'not_ready' as const, checks }, 503);
  });

  // --- operator alerts (payout failures, top-ups awaiting signatures, ...) ------------------------------------
  const alerts = createRoute({
    method: 'get',
    path: '/alerts',
    summary: 'Operator alerts (payout failures, top-ups awaiting cold signatures...)',
    ...operator('alerts.list', 'ops:read'),
    request: { query: s.alertQuery },
    responses: { 200: json(s.alertList, 'alerts'), 400: errorResponse('bad filter'), ...adminErrors },
  });
  app.openapi(alerts, async (c) => {
    const rows = await listAlerts(db, c.req.valid('query'));
    return c.json(
      {
        alerts: rows.map((r) => ({
          id: String(r.id),
          kind: r.kind,
          transaction_id: r.transaction_id,
          message: r.message,
          created_at: r.created_at.toISOString(),
          acknowledged_at: r.acknowledged_at?.toISOString() ?? null,
        })),
      },
      200,
    );
  });

  const ack = createRoute({
    method: 'post',
    path: '/alerts/{id}/ack',
    summary: 'Acknowledge an alert',
    ...operator('alert.ack', 'ops:write'),
    request: { params: idParam },
    responses: {
      200: json(z.object({ status: z.literal('acknowledged') }), 'acknowledged'),
      404: errorResponse('no such alert'),
      409: errorResponse('already acknowledged'),
      ...adminErrors,
    },
  });
  app.openapi(ack, async (c) => {
    await act(() => acknowledgeOperatorAlert(deps, c.req.valid('param').id));
    return c.json({ status: 'acknowledged' as const }, 200);
  });

  // --- audit trail -----------------------------------------------------------------------------------------
  const audit = createRoute({
    method: 'get',
    path: '/audit',
    summary: 'The admin audit trail',
    ...operator('audit.list', 'ops:read'),
    request: { query: s.auditQuery },
    responses: { 200: json(s.auditList, 'entries'), 400: errorResponse('bad filter'), ...adminErrors },
  });
  app.openapi(audit, async (c) => {
    const q = c.req.valid('query');
    const rows = await listAdminActions(db, {
      limit: q.limit,
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.target ? { target: q.target } : {}),
      ...(q.before_id ? { beforeId: q.before_id } : {}),
    });
    return c.json(
      {
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
      },
      200,
    );
  });

  return app;
}

/** Spreadsheet-safe CSV cell: quoted, and a leading formula character neutralised. */
function csvCell(v: string | null): string {
  const text = v ?? '';
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

import { z } from '@hono/zod-openapi';
import { TRANSACTION_STATUSES } from '../../db/schema.js';
import { text } from '../openapi/fields.js';

/** Request and response shapes of the admin API: validated at the edge and listed in the OpenAPI document. */

const isoDate = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');
export const limitParam = z.coerce.number().int().min(1).max(500).default(50);

export const transactionSearchQuery = z.object({
  status: z.enum(TRANSACTION_STATUSES).optional(),
  kind: z.enum(['deposit', 'withdrawal']).optional(),
  account: text(69)
    .min(1)
    .optional()
    .describe('Stellar account (G.../M...) paid or paying, or the JWT sub account'),
  from: isoDate.optional().describe('started at or after'),
  to: isoDate.optional().describe('started before'),
  limit: limitParam,
  cursor: text(200).optional().describe('next_cursor of the previous page'),
});

export const adminTransaction = z.object({
  id: z.string(),
  kind: z.enum(['deposit', 'withdrawal']),
  status: z.enum(TRANSACTION_STATUSES),
  sub: z.string(),
  stellar_account: z.string(),
  asset_code: z.string(),
  amount_expected: z.string().nullable(),
  amount_in: z.string().nullable(),
  amount_out: z.string().nullable(),
  amount_fee: z.string().nullable(),
  stellar_transaction_id: z.string().nullable(),
  external_transaction_id: z.string().nullable(),
  bank_reference: z.string().nullable(),
  message: z.string().nullable(),
  started_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
});
export const transactionList = z.object({
  transactions: z.array(adminTransaction),
  next_cursor: z.string().nullable(),
});
export const transactionDetail = z.object({
  transaction: adminTransaction,
  workflow: z.object({ id: z.string(), url: z.url() }),
});

export const withdrawalDecisionBody = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: text(500).min(1).optional(),
});
export const refundBody = z.object({ reason: text(500).min(1).optional() });

export const accepted = z.object({ status: z.literal('accepted'), workflow_id: z.string().optional() });

export const topUpStatusEnum = z.enum(['awaiting_signature', 'submitting', 'completed', 'expired', 'failed']);
export const topUpQuery = z.object({ status: topUpStatusEnum.optional(), limit: limitParam });
export const topUp = z.object({
  id: z.string(),
  workflow_id: z.string(),
  status: topUpStatusEnum,
  asset_code: z.string(),
  amount: z.string(),
  balance_before: z.string(),
  tx_hash: z.string(),
  unsigned_xdr: z.string().describe('the envelope the cold signers must sign (base64 XDR)'),
  last_rejection: z.string().nullable(),
  ledger: z.number().int().nullable(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});
export const topUpList = z.object({ topups: z.array(topUp) });
export const signedEnvelopeBody = z.object({
  envelope_xdr: text(100_000).min(1).describe('base64 XDR of the signed top-up envelope'),
});

export const kycQuery = z.object({
  status: z.enum(['ACCEPTED', 'PROCESSING', 'NEEDS_INFO', 'REJECTED']).optional(),
  limit: limitParam,
  cursor: text(200).optional(),
});
export const kycEntry = z.object({
  id: z.string(),
  account: z.string(),
  memo: z.string().nullable(),
  status: z.enum(['ACCEPTED', 'PROCESSING', 'NEEDS_INFO', 'REJECTED']),
  updated_at: z.string(),
});
export const kycList = z.object({ customers: z.array(kycEntry), next_cursor: z.string().nullable() });

export const unmatchedAttachBody = z.object({
  transaction_id: text(100).min(1),
  note: text(500).min(1).optional(),
});
export const unmatchedQuery = z.object({
  state: z.enum(['open', 'attached', 'refunded']).default('open'),
  limit: limitParam,
});
export const unmatchedTransfer = z.object({
  bank_transfer_id: z.string(),
  state: z.enum(['open', 'attached', 'refunded']),
  reason: z.string(),
  detail: z.string().nullable(),
  amount: z.string(),
  currency: z.string(),
  reference: z.string(),
  from_account: z.string().describe('masked'),
  candidate_transaction_ids: z.array(z.string()),
  booked_at: z.string(),
  created_at: z.string(),
  resolved_transaction_id: z.string().nullable(),
  resolved_by: z.string().nullable(),
});
export const unmatchedList = z.object({ transfers: z.array(unmatchedTransfer) });
export const unmatchedRefundBody = z.object({ reason: text(500).min(1).optional() });

export const auditQuery = z.object({
  actor: text(64).optional(),
  action: text(100).optional(),
  target: text(200).optional(),
  limit: limitParam,
  before_id: text(20).regex(/^\d+$/).optional(),
});
export const auditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  request_id: z.string().nullable(),
  outcome: z.enum(['ok', 'denied', 'error']),
  status_code: z.number().int().nullable(),
});
export const auditList = z.object({ entries: z.array(auditEntry) });

export const alertQuery = z.object({
  state: z.enum(['open', 'acknowledged', 'all']).default('open'),
  kind: text(100).optional(),
  limit: limitParam,
});
export const alert = z.object({
  id: z.string(),
  kind: z.string(),
  transaction_id: z.string().nullable().describe('transaction or top-up id'),
  message: z.string(),
  created_at: z.string(),
  acknowledged_at: z.string().nullable(),
});
export const alertList = z.object({ alerts: z.array(alert) });

export const errorBody = z.object({ error: z.string() });

import { z } from 'zod';
import * as admin from '../admin/schemas.js';
import { SEP10_PATH, SEP12_PATH, SEP24_PATH, STELLAR_TOML_PATH } from '../paths.js';

/**
 * Every documented route with the zod schemas its handler validates with. The OpenAPI document is generated from
 * this list (api/openapi/document.ts), so the edge schemas and the docs cannot drift apart. A route the app serves
 * but this list lacks still appears in the document (from the app's route table) as "undocumented".
 */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  /** Hono path syntax (`/transactions/:id`). */
  path: string;
  tag: string;
  summary: string;
  security?: 'sep10' | 'admin';
  /** Admin scope required (documented in the description). */
  scope?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Content type of the body (default application/json). */
  bodyType?: string;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const err = (description: string) => ({ description, schema: admin.errorBody });
const adminErrors = {
  401: err('no admin key, an invalid key, or a SEP-10 token'),
  403: err('the key lacks the scope'),
};

// Public (SEP) shapes, as the SEPs define them (wire names are snake_case).
const sep10Challenge = z.object({ transaction: z.string(), network_passphrase: z.string() });
const sep10Token = z.object({ token: z.string() });
const sep24Interactive = z.object({
  type: z.literal('interactive_customer_info_needed'),
  url: z.string(),
  id: z.string(),
});
const sep24Transaction = z
  .object({ id: z.string(), kind: z.enum(['deposit', 'withdrawal']), status: z.string() })
  .loose();
const readyReport = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.unknown()),
});

/** The SEP-24 hosted interactive pages (HTML forms behind the one-time interactive token). */
function hostedPages(): RouteDoc[] {
  const pages: [RouteDoc['method'], string, string][] = [
    ['get', '/interactive/deposit', 'Deposit flow entry (one-time token)'],
    ['get', '/interactive/deposit/amount', 'Deposit amount form'],
    ['post', '/interactive/deposit/amount', 'Deposit amount submission'],
    ['get', '/interactive/deposit/kyc', 'Deposit KYC form'],
    ['post', '/interactive/deposit/kyc', 'Deposit KYC submission'],
    ['get', '/interactive/deposit/instructions', 'Bank transfer instructions'],
    ['get', '/interactive/withdraw', 'Withdrawal flow entry (one-time token)'],
    ['get', '/interactive/withdraw/form', 'Withdrawal form'],
    ['post', '/interactive/withdraw/form', 'Withdrawal form submission'],
    ['post', '/interactive/withdraw/kyc', 'Withdrawal KYC submission'],
    ['post', '/interactive/withdraw/confirm', 'Withdrawal confirmation'],
  ];
  return pages.map(([method, path, summary]) => ({
    method,
    path: `${SEP24_PATH}${path}`,
    tag: 'SEP-24 hosted pages',
    summary,
    ...(method === 'post'
      ? { bodyType: 'application/x-www-form-urlencoded', body: z.record(z.string(), z.string()) }
      : {}),
    responses: { 200: { description: 'HTML', contentType: 'text/html' }, 303: { description: 'next step' } },
  }));
}

/** POST /transactions/{deposit,withdraw}/interactive: the same request and answers for both kinds. */
function sep24InteractiveStart(kind: 'deposit' | 'withdraw', summary: string): RouteDoc {
  return {
    method: 'post',
    path: `${SEP24_PATH}/transactions/${kind}/interactive`,
    tag: 'SEP-24',
    summary,
    security: 'sep10',
    body: z
      .object({
        asset_code: z.string(),
        amount: z.string().optional(),
        account: z.string().optional(),
        lang: z.string().optional(),
      })
      .loose(),
    responses: {
      200: { description: 'interactive URL', schema: sep24Interactive },
      400: err('bad request'),
      403: { description: 'authentication_required' },
    },
  };
}

/** An operator route: admin key with `scope`, answering 401/403 like every other admin route. */
function adminRoute(route: Omit<RouteDoc, 'tag' | 'security' | 'scope'> & { scope: string }): RouteDoc {
  return { ...route, tag: 'admin', security: 'admin', responses: { ...route.responses, ...adminErrors } };
}

export const ROUTES: RouteDoc[] = [
  // --- operations (public) ---
  {
    method: 'get',
    path: '/health',
    tag: 'operations',
    summary: 'Liveness',
    responses: { 200: { description: 'process answers', schema: z.object({ status: z.literal('ok') }) } },
  },
  {
    method: 'get',
    path: '/ready',
    tag: 'operations',
    summary: 'Readiness of Postgres, Temporal and Horizon',
    responses: {
      200: { description: 'ready', schema: readyReport },
      503: { description: 'a dependency is down', schema: readyReport },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    summary: 'Prometheus metrics (text exposition format)',
    responses: { 200: { description: 'metrics', contentType: 'text/plain' } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'operations',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3 document' } },
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'operations',
    summary: 'Swagger UI for this document',
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  },

  {
    method: 'get',
    path: '/docs/init.js',
    tag: 'operations',
    summary: 'Swagger UI bootstrap script',
    responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
  },
  {
    method: 'get',
    path: '/docs/assets/:file',
    tag: 'operations',
    summary: 'Swagger UI static asset (served from swagger-ui-dist, no CDN)',
    responses: {
      200: { description: 'asset', contentType: 'application/octet-stream' },
      404: err('no such asset'),
    },
  },

  // --- SEP-1 ---
  {
    method: 'get',
    path: STELLAR_TOML_PATH,
    tag: 'SEP-1',
    summary: 'stellar.toml',
    responses: { 200: { description: 'TOML', contentType: 'text/plain' } },
  },

  {
    method: 'get',
    path: '/.well-known/logo.png',
    tag: 'SEP-1',
    summary: 'ORG_LOGO image',
    responses: { 200: { description: 'PNG', contentType: 'image/png' } },
  },

  // --- SEP-10 ---
  {
    method: 'get',
    path: SEP10_PATH,
    tag: 'SEP-10',
    summary: 'Challenge transaction',
    query: z.object({
      account: z.string(),
      memo: z.string().optional(),
      home_domain: z.string().optional(),
      client_domain: z.string().optional(),
    }),
    responses: {
      200: { description: 'challenge', schema: sep10Challenge },
      400: err('bad account, memo or domain'),
    },
  },
  {
    method: 'post',
    path: SEP10_PATH,
    tag: 'SEP-10',
    summary: 'Exchange a signed challenge for a JWT',
    body: z.object({ transaction: z.string() }),
    responses: {
      200: { description: 'JWT', schema: sep10Token },
      400: err('invalid challenge or signatures'),
    },
  },

  {
    method: 'get',
    path: `${SEP10_PATH}/whoami`,
    tag: 'SEP-10',
    summary: 'The identity of a SEP-10 token (debugging)',
    security: 'sep10',
    responses: { 200: { description: 'identity' }, 403: { description: 'authentication_required' } },
  },
  {
    method: 'get',
    path: `${SEP10_PATH}/jwks.json`,
    tag: 'SEP-10',
    summary: 'Public keys of asymmetric SEP-10 JWTs',
    responses: {
      200: { description: 'JWKS', schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
    },
  },

  // --- SEP-24 ---
  {
    method: 'get',
    path: `${SEP24_PATH}/info`,
    tag: 'SEP-24',
    summary: 'Assets, limits and fees',
    responses: {
      200: {
        description: 'info',
        schema: z
          .object({ deposit: z.record(z.string(), z.unknown()), withdraw: z.record(z.string(), z.unknown()) })
          .loose(),
      },
    },
  },
  sep24InteractiveStart('deposit', 'Start an interactive deposit'),
  sep24InteractiveStart('withdraw', 'Start an interactive withdrawal'),
  {
    method: 'get',
    path: `${SEP24_PATH}/transaction`,
    tag: 'SEP-24',
    summary: 'One transaction of the caller',
    security: 'sep10',
    query: z.object({
      id: z.string().optional(),
      stellar_transaction_id: z.string().optional(),
      external_transaction_id: z.string().optional(),
      lang: z.string().optional(),
    }),
    responses: {
      200: { description: 'transaction', schema: z.object({ transaction: sep24Transaction }) },
      404: err('not found'),
    },
  },
  {
    method: 'get',
    path: `${SEP24_PATH}/transactions`,
    tag: 'SEP-24',
    summary: "The caller's transactions",
    security: 'sep10',
    query: z.object({
      asset_code: z.string(),
      no_older_than: z.string().optional(),
      limit: z.string().optional(),
      kind: z.enum(['deposit', 'withdrawal']).optional(),
      paging_id: z.string().optional(),
      lang: z.string().optional(),
    }),
    responses: {
      200: { description: 'transactions', schema: z.object({ transactions: z.array(sep24Transaction) }) },
    },
  },

  {
    method: 'get',
    path: `${SEP24_PATH}/more_info`,
    tag: 'SEP-24',
    summary: 'more_info_url page of a transaction (HTML)',
    query: z.object({ id: z.string(), lang: z.string().optional() }),
    responses: {
      200: { description: 'HTML', contentType: 'text/html' },
      404: { description: 'unknown transaction' },
    },
  },
  ...hostedPages(),

  // --- SEP-12 ---
  {
    method: 'get',
    path: `${SEP12_PATH}/customer`,
    tag: 'SEP-12',
    summary: 'Customer KYC status and required fields',
    security: 'sep10',
    query: z.object({
      id: z.string().optional(),
      account: z.string().optional(),
      memo: z.string().optional(),
      type: z.string().optional(),
      lang: z.string().optional(),
    }),
    responses: { 200: { description: 'customer status' }, 401: err('authentication required') },
  },
  {
    method: 'put',
    path: `${SEP12_PATH}/customer`,
    tag: 'SEP-12',
    summary: 'Submit KYC fields (SEP-9 names)',
    security: 'sep10',
    bodyType: 'multipart/form-data',
    body: z.record(z.string(), z.string()),
    responses: {
      202: { description: 'accepted', schema: z.object({ id: z.string() }) },
      400: err('bad field'),
    },
  },
  {
    method: 'delete',
    path: `${SEP12_PATH}/customer/:account`,
    tag: 'SEP-12',
    summary: 'Delete a customer',
    security: 'sep10',
    responses: { 200: { description: 'deleted' }, 404: err('no such customer') },
  },

  {
    method: 'put',
    path: `${SEP12_PATH}/customer/verification`,
    tag: 'SEP-12',
    summary: 'Submit verification codes (e.g. mobile_number_verification)',
    security: 'sep10',
    body: z.record(z.string(), z.string()),
    responses: { 200: { description: 'customer status' }, 400: err('bad code') },
  },
  {
    method: 'put',
    path: `${SEP12_PATH}/customer/callback`,
    tag: 'SEP-12',
    summary: 'Register a KYC status callback URL',
    security: 'sep10',
    body: z.object({
      url: z.string(),
      id: z.string().optional(),
      account: z.string().optional(),
      memo: z.string().optional(),
    }),
    responses: { 200: { description: 'registered' }, 400: err('bad URL') },
  },
  {
    method: 'get',
    path: `${SEP12_PATH}/interactive`,
    tag: 'SEP-12',
    summary: 'Hosted KYC page (HTML)',
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  },
  {
    method: 'post',
    path: `${SEP12_PATH}/interactive`,
    tag: 'SEP-12',
    summary: 'Hosted KYC form submission',
    bodyType: 'application/x-www-form-urlencoded',
    body: z.record(z.string(), z.string()),
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  },

  // --- webhooks (outside systems; signed) ---
  {
    method: 'post',
    path: '/webhooks/bank',
    tag: 'webhooks',
    summary: 'Bank transfer events (X-Bank-Signature HMAC over the raw body)',
    body: z.record(z.string(), z.unknown()),
    responses: { 200: { description: 'stored' }, 401: err('bad signature or replayed timestamp') },
  },
  {
    method: 'post',
    path: '/webhooks/kyc',
    tag: 'webhooks',
    summary: 'KYC provider decisions (signed)',
    body: z.record(z.string(), z.unknown()),
    responses: { 200: { description: 'stored' }, 401: err('bad signature') },
  },

  {
    method: 'get',
    path: `${SEP12_PATH}/customer/files`,
    tag: 'SEP-12',
    summary: 'List uploaded customer files',
    security: 'sep10',
    query: z.object({ file_id: z.string().optional(), customer_id: z.string().optional() }),
    responses: {
      200: { description: 'files', schema: z.object({ files: z.array(z.record(z.string(), z.unknown())) }) },
    },
  },
  {
    method: 'post',
    path: `${SEP12_PATH}/customer/files`,
    tag: 'SEP-12',
    summary: 'Upload a customer file (multipart)',
    security: 'sep10',
    bodyType: 'multipart/form-data',
    body: z.object({ file: z.string().describe('binary') }),
    responses: {
      200: { description: 'stored file', schema: z.object({ file_id: z.string() }).loose() },
      400: err('bad file'),
      413: err('too large'),
    },
  },

  // --- admin ---
  adminRoute({
    method: 'get',
    path: '/admin/transactions',
    summary: 'Search transactions',
    scope: 'transactions:read',
    query: admin.transactionSearchQuery,
    responses: {
      200: { description: 'one page', schema: admin.transactionList },
      400: err('bad filter'),
    },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/transactions/:id',
    summary: 'One transaction with its Temporal workflow link',
    scope: 'transactions:read',
    responses: {
      200: { description: 'transaction', schema: admin.transactionDetail },
      404: err('no such transaction'),
    },
  }),
  adminRoute({
    method: 'post',
    path: '/admin/withdrawals/:id/decision',
    summary: 'Approve or reject a withdrawal waiting for an operator',
    scope: 'transactions:write',
    body: admin.withdrawalDecisionBody,
    responses: {
      202: { description: 'signalled', schema: admin.accepted },
      404: err('no such transaction'),
      409: err('not a withdrawal, or its workflow is not running'),
    },
  }),
  adminRoute({
    method: 'post',
    path: '/admin/transactions/:id/refund',
    summary: 'Ask the transaction workflow to refund',
    scope: 'transactions:write',
    body: admin.refundBody,
    responses: {
      202: { description: 'signalled', schema: admin.accepted },
      404: err('no such transaction'),
      409: err('workflow not running'),
    },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/topups',
    summary: 'Distribution top-ups (pending ones carry the unsigned XDR)',
    scope: 'topups:read',
    query: admin.topUpQuery,
    responses: { 200: { description: 'top-ups', schema: admin.topUpList } },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/topups/:id',
    summary: 'One top-up',
    scope: 'topups:read',
    responses: {
      200: { description: 'top-up', schema: admin.topUp },
      404: err('no such top-up'),
    },
  }),
  adminRoute({
    method: 'post',
    path: '/admin/topups/:id/signed-envelope',
    summary: 'Hand in the cold-signed top-up envelope',
    scope: 'topups:write',
    body: admin.signedEnvelopeBody,
    responses: {
      202: { description: 'signalled; the workflow verifies signers and thresholds', schema: admin.accepted },
      404: err('no such top-up'),
      409: err('not awaiting a signature'),
    },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/bank/unmatched',
    summary: 'Bank transfers no deposit claimed (sender account masked)',
    scope: 'transactions:read',
    query: admin.unmatchedQuery,
    responses: { 200: { description: 'queue', schema: admin.unmatchedList } },
  }),
  adminRoute({
    method: 'post',
    path: '/admin/bank/unmatched/:id/attach',
    summary: 'Attach an unmatched transfer to a deposit (signals deposit-<id>)',
    scope: 'bank:write',
    body: admin.unmatchedAttachBody,
    responses: {
      202: {
        description: 'attached',
        schema: z.object({ status: z.literal('accepted'), result: z.string() }),
      },
      404: err('no such transfer or transaction'),
      409: err('not open, not a deposit, or already funded'),
    },
  }),
  adminRoute({
    method: 'post',
    path: '/admin/bank/unmatched/:id/refund',
    summary: 'Send an unmatched transfer back to its sender (once)',
    scope: 'bank:write',
    body: admin.unmatchedRefundBody,
    responses: {
      200: {
        description: 'refunded',
        schema: z.object({ status: z.literal('refunded'), refund_id: z.string() }),
      },
      404: err('no such transfer'),
      409: err('not open'),
      502: err('the bank refused the payout'),
    },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/kyc',
    summary: 'KYC status per customer (no personal data)',
    scope: 'kyc:read',
    query: admin.kycQuery,
    responses: { 200: { description: 'statuses', schema: admin.kycList } },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/kyc/export',
    summary: 'KYC statuses as CSV',
    scope: 'kyc:read',
    query: admin.kycQuery.omit({ limit: true, cursor: true }),
    responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/alerts',
    summary: 'Operator alerts (payout failures, top-ups awaiting cold signatures...)',
    scope: 'ops:read',
    query: admin.alertQuery,
    responses: { 200: { description: 'alerts', schema: admin.alertList } },
  }),
  adminRoute({
    method: 'post',
    path: '/admin/alerts/:id/ack',
    summary: 'Acknowledge an alert',
    scope: 'ops:write',
    responses: {
      200: { description: 'acknowledged', schema: z.object({ status: z.literal('acknowledged') }) },
      404: err('no such alert'),
      409: err('already acknowledged'),
    },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/audit',
    summary: 'The admin audit trail',
    scope: 'ops:read',
    query: admin.auditQuery,
    responses: { 200: { description: 'entries', schema: admin.auditList } },
  }),
  adminRoute({
    method: 'get',
    path: '/admin/ready',
    summary: 'Deep readiness: every doctor check',
    scope: 'ops:read',
    responses: {
      200: { description: 'all checks pass' },
      503: { description: 'a check fails' },
    },
  }),
];

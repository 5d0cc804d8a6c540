import { createRoute, z } from '@hono/zod-openapi';
import { toSep6Transaction } from '../../core/transfers/sep6-wire.js';
import {
  findTransactionForSub,
  listTransactionsForSub,
  type TransactionLookup,
} from '../../db/transactions.js';
import type { ApiDeps } from '../deps.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest, notFound } from '../middleware/errors.js';
import type { Router } from '../openapi/hono.js';
import { json } from '../openapi/responses.js';
import { transactionObject, transactionQuery, transactionsQuery } from './schemas.js';

/** GET /transaction and GET /transactions of SEP-6 (S6-09, S6-10, S6-21..25), scoped to the JWT `sub`. */
const SEP6_KINDS: Record<string, { kind: 'deposit' | 'withdrawal'; exchange: boolean }> = {
  deposit: { kind: 'deposit', exchange: false },
  'deposit-exchange': { kind: 'deposit', exchange: true },
  withdrawal: { kind: 'withdrawal', exchange: false },
  'withdrawal-exchange': { kind: 'withdrawal', exchange: true },
};

export function registerSep6Transactions(app: Router<AuthEnv>, deps: ApiDeps) {
  const { config, db } = deps;
  const auth = requireSep10(config, 'sep24');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/transaction',
      tags: ['SEP-6'],
      summary: 'One transaction of the caller (S6-09, S6-23)',
      security: [{ sep10: [] }],
      middleware: [auth] as const,
      request: { query: transactionQuery },
      responses: {
        200: json(z.object({ transaction: transactionObject }), 'the transaction'),
        400: { description: '`{"error"}`' },
        403: { description: 'authentication_required' },
        404: { description: 'not found (or another user’s)' },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const given = (['id', 'stellar_transaction_id', 'external_transaction_id'] as const).filter(
        (k) => q[k],
      );
      if (given.length !== 1) {
        throw badRequest('send exactly one of id, stellar_transaction_id or external_transaction_id');
      }
      const key = given[0]!;
      const value = q[key]!;
      const lookup: TransactionLookup =
        key === 'id'
          ? { id: value }
          : key === 'stellar_transaction_id'
            ? { stellarTransactionId: value }
            : { externalTransactionId: value };
      const row = await findTransactionForSub(db, c.get('identity').sub, lookup);
      if (!row) throw notFound('transaction not found');
      return c.json({ transaction: toSep6Transaction(config, row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/transactions',
      tags: ['SEP-6'],
      summary: 'The caller’s transactions, newest first (S6-10, S6-24, S6-25)',
      security: [{ sep10: [] }],
      middleware: [auth] as const,
      request: { query: transactionsQuery },
      responses: {
        200: json(z.object({ transactions: z.array(transactionObject) }), 'the transactions'),
        400: { description: '`{"error"}`: missing or unknown asset_code, bad filter' },
        403: { description: 'authentication_required' },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      if (!q.asset_code) throw badRequest('asset_code is required');
      // S6-24: an asset this anchor does not offer is an error, not an empty list.
      if (q.asset_code !== config.stellar.assetCode) {
        throw badRequest(`asset_code ${q.asset_code} is not supported: see GET /info for the assets offered`);
      }
      // S6-10: `kind` is a list, repeated (kind=deposit&kind=withdrawal) or comma-separated.
      const kinds = (c.req.queries('kind') ?? [])
        .flatMap((k) => k.split(','))
        .map((k) => k.trim())
        .filter((k) => k !== '')
        .map((k) => {
          const known = SEP6_KINDS[k];
          if (!known)
            throw badRequest(`kind ${k.slice(0, 40)} must be one of ${Object.keys(SEP6_KINDS).join(', ')}`);
          return known;
        });
      let noOlderThan: Date | undefined;
      if (q.no_older_than) {
        noOlderThan = new Date(q.no_older_than);
        if (!/^\d{4}-\d{2}-\d{2}/.test(q.no_older_than) || Number.isNaN(noOlderThan.getTime())) {
          throw badRequest('no_older_than must be an ISO 8601 date-time');
        }
      }
      let limit: number | undefined;
      if (q.limit !== undefined) {
        if (!/^\d{1,4}$/.test(q.limit) || Number(q.limit) < 1)
          throw badRequest('limit must be a positive integer');
        limit = Math.min(Number(q.limit), 200);
      }
      const rows = await listTransactionsForSub(db, c.get('identity').sub, {
        assetCode: q.asset_code,
        kinds,
        noOlderThan,
        limit,
        pagingId: q.paging_id || undefined,
      });
      return c.json({ transactions: rows.map((r) => toSep6Transaction(config, r)) }, 200);
    },
  );
}

import { createRoute, z } from '@hono/zod-openapi';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import {
  findTransactionForSub,
  listTransactionsForSub,
  type TransactionLookup,
} from '../../db/transactions.js';
import type { ApiDeps } from '../deps.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { apiError } from '../middleware/errors.js';
import { createRouter } from '../openapi/hono.js';
import { errorResponse, json, sep10Security } from '../openapi/responses.js';
import { authenticationRequired, sep24Transaction, transactionQuery, transactionsQuery } from './schemas.js';

/** GET /transaction and GET /transactions, scoped to the JWT `sub` (S24-34..39). */
export function sep24TransactionsApp(deps: ApiDeps) {
  const { config, db } = deps;
  const app = createRouter<AuthEnv>();
  const auth = [requireSep10(config, 'sep24')];
  const denied = json(authenticationRequired, 'no, a malformed or an expired SEP-10 token');

  const one = createRoute({
    method: 'get',
    path: '/transaction',
    tags: ['SEP-24'],
    summary: 'One transaction of the caller',
    security: sep10Security,
    middleware: auth,
    request: { query: transactionQuery },
    responses: {
      200: json(z.object({ transaction: sep24Transaction }), 'the transaction'),
      400: errorResponse('not exactly one of id, stellar_transaction_id, external_transaction_id'),
      403: denied,
      404: errorResponse('no such transaction of the caller'),
    },
  });
  app.openapi(one, async (c) => {
    const q = c.req.valid('query');
    const lookup: TransactionLookup = q.id
      ? { id: q.id }
      : q.stellar_transaction_id
        ? { stellarTransactionId: q.stellar_transaction_id }
        : { externalTransactionId: q.external_transaction_id! };
    // Another user's transaction is reported exactly like a missing one (S24-38).
    const row = await findTransactionForSub(db, c.get('identity').sub, lookup);
    if (!row) throw apiError(404, 'api.transaction_not_found', undefined, 'not_found');
    return c.json({ transaction: toSep24Transaction(config, row) }, 200);
  });

  const list = createRoute({
    method: 'get',
    path: '/transactions',
    tags: ['SEP-24'],
    summary: "The caller's transactions",
    security: sep10Security,
    middleware: auth,
    request: { query: transactionsQuery },
    responses: {
      200: json(z.object({ transactions: z.array(sep24Transaction) }), 'newest first'),
      400: errorResponse('a bad filter, named in the message'),
      403: denied,
    },
  });
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    // An asset this anchor does not offer is an error, not an empty list (issue #14; S6-24 says the same).
    if (q.asset_code !== config.stellar.assetCode) {
      throw apiError(400, 'api.asset_not_supported', { asset: q.asset_code });
    }
    const rows = await listTransactionsForSub(db, c.get('identity').sub, {
      assetCode: q.asset_code,
      kind: q.kind,
      noOlderThan: q.no_older_than ? new Date(q.no_older_than) : undefined,
      limit: q.limit ? Math.min(Number(q.limit), 200) : undefined,
      pagingId: q.paging_id || undefined,
    });
    return c.json({ transactions: rows.map((r) => toSep24Transaction(config, r)) }, 200);
  });
  return app;
}

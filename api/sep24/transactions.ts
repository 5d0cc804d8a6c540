import { Hono } from 'hono';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import {
  findTransactionForSub,
  listTransactionsForSub,
  type TransactionLookup,
} from '../../db/transactions.js';
import type { ApiDeps } from '../deps.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest, notFound } from '../middleware/errors.js';

/** GET /transaction and GET /transactions, scoped to the JWT `sub` (S24-34..39). */
export function sep24TransactionsApp(deps: ApiDeps) {
  const { config, db } = deps;
  const app = new Hono<AuthEnv>();

  app.get('/transaction', requireSep10(config, 'sep24'), async (c) => {
    const q = c.req.query();
    const given = (['id', 'stellar_transaction_id', 'external_transaction_id'] as const).filter(
      (k) => q[k] !== undefined && q[k] !== '',
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
    // Another user's transaction is reported exactly like a missing one (S24-38).
    const row = await findTransactionForSub(db, c.get('identity').sub, lookup);
    if (!row) throw notFound('transaction not found');
    return c.json({ transaction: toSep24Transaction(config, row) });
  });

  app.get('/transactions', requireSep10(config, 'sep24'), async (c) => {
    const q = c.req.query();
    if (!q.asset_code) throw badRequest('asset_code is required');
    let kind: 'deposit' | 'withdrawal' | undefined;
    if (q.kind !== undefined && q.kind !== '') {
      if (q.kind !== 'deposit' && q.kind !== 'withdrawal')
        throw badRequest('kind must be deposit or withdrawal');
      kind = q.kind;
    }
    let noOlderThan: Date | undefined;
    if (q.no_older_than) {
      noOlderThan = new Date(q.no_older_than);
      if (!/^\d{4}-\d{2}-\d{2}/.test(q.no_older_than) || Number.isNaN(noOlderThan.getTime())) {
        throw badRequest('no_older_than must be an ISO 8601 date-time');
      }
    }
    let limit: number | undefined;
    if (q.limit !== undefined && q.limit !== '') {
      if (!/^\d{1,4}$/.test(q.limit) || Number(q.limit) < 1)
        throw badRequest('limit must be a positive integer');
      limit = Math.min(Number(q.limit), 200);
    }
    const rows = await listTransactionsForSub(db, c.get('identity').sub, {
      assetCode: q.asset_code,
      kind,
      noOlderThan,
      limit,
      pagingId: q.paging_id || undefined,
    });
    return c.json({ transactions: rows.map((r) => toSep24Transaction(config, r)) });
  });
  return app;
}

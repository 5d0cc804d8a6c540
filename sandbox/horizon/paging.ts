import type { Context } from 'hono';
import { badRequest } from './problems.js';
import { toid } from './records.js';
import type { LedgerHeader } from './store.js';

/** Horizon's collection paging: cursor (paging token or `now`), order, limit ≤ 200, `_links` self/next/prev. */

export interface Paging {
  cursor: bigint | undefined;
  order: 'asc' | 'desc';
  limit: number;
  raw: Record<string, string>;
}

export function paging(c: Context, latest: LedgerHeader): Paging {
  const q = c.req.query();
  const order = q.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badRequest('order', 'order must be asc or desc');
  const limit = q.limit === undefined || q.limit === '' ? 10 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badRequest('limit', 'limit must be 1..200');
  let cursor: bigint | undefined;
  // 'now': after everything in the latest closed ledger (no record has TOID ledger<<32 | 0 | 0 except ledgers)
  if (q.cursor === 'now') cursor = toid(latest.seq + 1, 0, 0) - 1n;
  else if (q.cursor !== undefined && q.cursor !== '') {
    if (!/^\d{1,19}$/.test(q.cursor)) throw badRequest('cursor', 'cursor must be a paging token or now');
    cursor = BigInt(q.cursor);
  }
  return { cursor, order, limit, raw: q };
}

export function baseUrl(c: Context): string {
  return new URL(c.req.url).origin;
}

export function pageLinks(c: Context, p: Paging, records: Record<string, unknown>[]) {
  const url = new URL(c.req.url);
  const href = (cursor: string, order: string) => {
    const u = new URL(url.pathname, url.origin);
    for (const [k, v] of Object.entries(p.raw))
      if (!['cursor', 'order', 'limit'].includes(k)) u.searchParams.set(k, v);
    u.searchParams.set('cursor', cursor);
    u.searchParams.set('limit', String(p.limit));
    u.searchParams.set('order', order);
    return { href: u.toString() };
  };
  const first = String(records[0]?.paging_token ?? p.raw.cursor ?? '');
  const last = String(records[records.length - 1]?.paging_token ?? p.raw.cursor ?? '');
  return {
    self: href(p.raw.cursor ?? '', p.order),
    next: href(last, p.order),
    prev: href(first, p.order === 'asc' ? 'desc' : 'asc'),
  };
}

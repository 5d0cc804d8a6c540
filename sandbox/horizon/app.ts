import { StrKey } from '@stellar/stellar-sdk';
import { type Context, Hono } from 'hono';
import { type Ledger, MalformedTransaction } from './ledger.js';
import { baseUrl, type Paging, pageLinks, paging } from './paging.js';
import { registerPathRoutes } from './paths.js';
import { badRequest, ERR, malformed, notFound, Problem, problemJson } from './problems.js';
import { accountRecord, claimableBalanceRecord, ledgerRecord } from './records.js';
import { resultCodesFromXdr } from './results.js';
import { streamRecords, wantsStream } from './sse.js';
import type { AccountEntry } from './state.js';
import type { HorizonStore, LedgerHeader, PageQuery } from './store.js';

/** Horizon's HTTP API over the sandbox ledger, close enough that `Horizon.Server` works unchanged. */

export interface HorizonAppDeps {
  ledger: Ledger;
  /** the fixed path payment rate (destination units per source unit × 1e7), as the ledger applies it */
  rate(from: string, to: string): bigint | undefined;
  store: HorizonStore;
  passphrase: string;
  friendbotAmount: string;
  submissionTimeoutMs: number;
  /** told about unexpected errors (answered 500); never given request bodies */
  onError?: (err: unknown) => void;
  /** aborted when the sandbox stops, so open streams end */
  shutdown: AbortSignal;
}

function txLinks(base: string, r: Record<string, unknown>) {
  return {
    self: { href: `${base}/transactions/${r.hash}` },
    account: { href: `${base}/accounts/${r.source_account}` },
    ledger: { href: `${base}/ledgers/${r.ledger}` },
    operations: { href: `${base}/transactions/${r.hash}/operations{?cursor,limit,order}`, templated: true },
    effects: { href: `${base}/transactions/${r.hash}/effects{?cursor,limit,order}`, templated: true },
    precedes: { href: `${base}/transactions?order=asc&cursor=${r.paging_token}` },
    succeeds: { href: `${base}/transactions?order=desc&cursor=${r.paging_token}` },
    transaction: { href: `${base}/transactions/${r.hash}` },
  };
}

function withTxLinks(base: string, r: Record<string, unknown>): Record<string, unknown> {
  return { _links: txLinks(base, r), ...r };
}

function withOpLinks(base: string, r: Record<string, unknown>): Record<string, unknown> {
  return {
    _links: {
      self: { href: `${base}/operations/${r.id}` },
      transaction: { href: `${base}/transactions/${r.transaction_hash}` },
      effects: { href: `${base}/operations/${r.id}/effects` },
      succeeds: { href: `${base}/effects?order=desc&cursor=${r.paging_token}` },
      precedes: { href: `${base}/effects?order=asc&cursor=${r.paging_token}` },
    },
    ...r,
  };
}

function withLedgerLinks(base: string, r: Record<string, unknown>): Record<string, unknown> {
  return {
    _links: {
      self: { href: `${base}/ledgers/${r.sequence}` },
      transactions: {
        href: `${base}/ledgers/${r.sequence}/transactions{?cursor,limit,order}`,
        templated: true,
      },
      operations: { href: `${base}/ledgers/${r.sequence}/operations{?cursor,limit,order}`, templated: true },
      payments: { href: `${base}/ledgers/${r.sequence}/payments{?cursor,limit,order}`, templated: true },
      effects: { href: `${base}/ledgers/${r.sequence}/effects{?cursor,limit,order}`, templated: true },
    },
    ...r,
  };
}

function accountId(c: Context): string {
  const id = c.req.param('id') ?? '';
  if (!StrKey.isValidEd25519PublicKey(id))
    throw badRequest('account_id', 'Account ID must start with `G` and contain 56 alphanum characters');
  return id;
}

function ledgerSeq(c: Context): number {
  const seq = Number(c.req.param('seq'));
  if (!Number.isInteger(seq) || seq < 1 || seq > 2 ** 31 - 1) {
    throw badRequest('ledger_id', 'Ledger ID must be a positive integer');
  }
  return seq;
}

function txHash(c: Context): string {
  const hash = (c.req.param('hash') ?? '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    throw badRequest('tx_id', 'Transaction hash must be a hex-encoded, lowercase SHA-256 hash');
  }
  return hash;
}

/** The `tx` form field of a submission. */
async function envelopeOf(c: Context): Promise<string> {
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const envelope = form.tx;
  if (typeof envelope !== 'string' || envelope === '') throw badRequest('tx', 'tx is required');
  return envelope;
}

export function createHorizonApp(d: HorizonAppDeps): Hono {
  const app = new Hono();
  const { ledger, store } = d;

  app.onError((err, c) => {
    if (err instanceof Problem) return problemJson(c, err);
    d.onError?.(err);
    return problemJson(
      c,
      new Problem(500, {
        type: `${ERR}/server_error`,
        title: 'Internal Server Error',
        status: 500,
        detail: 'An error occurred while processing this request.',
      }),
    );
  });
  app.notFound((c) => problemJson(c, notFound()));

  app.get('/', (c) => {
    const base = baseUrl(c);
    const l = ledger.latest;
    return c.json({
      _links: {
        account: { href: `${base}/accounts/{account_id}`, templated: true },
        fee_stats: { href: `${base}/fee_stats` },
        friendbot: { href: `${base}/friendbot{?addr}`, templated: true },
        ledger: { href: `${base}/ledgers/{sequence}`, templated: true },
        payments: { href: `${base}/payments{?cursor,limit,order}`, templated: true },
        self: { href: `${base}/` },
        transaction: { href: `${base}/transactions/{hash}`, templated: true },
        transactions: { href: `${base}/transactions{?cursor,limit,order}`, templated: true },
      },
      horizon_version: 'sandbox-23.0.0',
      core_version: 'sandbox ledger (no stellar-core)',
      ingest_latest_ledger: l.seq,
      history_latest_ledger: l.seq,
      history_latest_ledger_closed_at: ledgerRecord(l).closed_at,
      history_elder_ledger: 1,
      core_latest_ledger: l.seq,
      network_passphrase: d.passphrase,
      current_protocol_version: 23,
      supported_protocol_version: 23,
      core_supported_protocol_version: 23,
    });
  });

  app.get('/fee_stats', (c) => {
    const fee = ledger.latest.baseFee.toString();
    const dist = Object.fromEntries(
      ['max', 'min', 'mode', 'p10', 'p20', 'p30', 'p40', 'p50', 'p60', 'p70', 'p80', 'p90', 'p95', 'p99'].map(
        (k) => [k, fee],
      ),
    );
    return c.json({
      last_ledger: String(ledger.latest.seq),
      last_ledger_base_fee: fee,
      ledger_capacity_usage: '0.00',
      fee_charged: dist,
      max_fee: dist,
    });
  });

  /** GET /accounts?signer=|asset=CODE:ISSUER|sponsor= — in memory, ordered by account id (its paging token). */
  app.get('/accounts', (c) => {
    const q = c.req.query();
    const filters = ['signer', 'asset', 'sponsor', 'liquidity_pool'].filter((k) => q[k]);
    if (filters.length !== 1)
      throw badRequest('signer', 'exactly one of signer, asset or sponsor is required');
    const order = q.order ?? 'asc';
    if (order !== 'asc' && order !== 'desc') throw badRequest('order', 'order must be asc or desc');
    const limit = q.limit ? Number(q.limit) : 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      throw badRequest('limit', 'limit must be 1..200');
    const matches = (a: AccountEntry) => {
      if (q.signer) return a.id === q.signer ? a.masterWeight > 0 : a.signers.some((x) => x.key === q.signer);
      if (q.asset) return q.asset in a.trustLines;
      return false; // no sponsorship sandwiches, no pools
    };
    const all = [...ledger.state.accounts.values()].filter(matches).sort((x, y) => (x.id < y.id ? -1 : 1));
    if (order === 'desc') all.reverse();
    const after = q.cursor ? all.filter((a) => (order === 'asc' ? a.id > q.cursor! : a.id < q.cursor!)) : all;
    const base = baseUrl(c);
    const records = after.slice(0, limit).map((a) => ({
      _links: { self: { href: `${base}/accounts/${a.id}` } },
      ...accountRecord(a, ledger.latest),
    }));
    const p: Paging = { cursor: undefined, order, limit, raw: q };
    return c.json({ _links: pageLinks(c, p, records), _embedded: { records } });
  });

  app.get('/accounts/:id', (c) => {
    const acc = ledger.state.getAccount(accountId(c));
    if (!acc) throw notFound();
    const base = baseUrl(c);
    const id = acc.id;
    return c.json({
      _links: {
        self: { href: `${base}/accounts/${id}` },
        transactions: { href: `${base}/accounts/${id}/transactions{?cursor,limit,order}`, templated: true },
        operations: { href: `${base}/accounts/${id}/operations{?cursor,limit,order}`, templated: true },
        payments: { href: `${base}/accounts/${id}/payments{?cursor,limit,order}`, templated: true },
        effects: { href: `${base}/accounts/${id}/effects{?cursor,limit,order}`, templated: true },
        offers: { href: `${base}/accounts/${id}/offers{?cursor,limit,order}`, templated: true },
        trades: { href: `${base}/accounts/${id}/trades{?cursor,limit,order}`, templated: true },
        data: { href: `${base}/accounts/${id}/data/{key}`, templated: true },
      },
      ...accountRecord(acc, ledger.latest),
    });
  });

  app.get('/accounts/:id/data/:key', (c) => {
    const acc = ledger.state.getAccount(accountId(c));
    const value = acc?.data[c.req.param('key')];
    if (value === undefined) throw notFound();
    return c.json({ value, sponsor: null });
  });

  app.get('/transactions/:hash', async (c) => {
    const r = await store.transaction(txHash(c));
    if (!r) throw notFound();
    return c.json(withTxLinks(baseUrl(c), r));
  });

  app.post('/transactions', async (c) => {
    const envelope = await envelopeOf(c);
    let outcome: Awaited<ReturnType<Ledger['submit']>>;
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Problem(504, {
                type: `${ERR}/timeout`,
                title: 'Timeout',
                status: 504,
                detail:
                  'Your request timed out before completing.  Please try your request again. If you are submitting a transaction make sure you are sending exactly the same transaction (with the same sequence number).',
              }),
            ),
          d.submissionTimeoutMs,
        );
      });
      outcome = await Promise.race([ledger.submit(envelope), timeout]).finally(() => clearTimeout(timer));
    } catch (err) {
      if (err instanceof MalformedTransaction) throw malformed(envelope);
      throw err;
    }
    if (outcome.kind === 'applied' && outcome.record.successful)
      return c.json(withTxLinks(baseUrl(c), outcome.record));
    const resultXdr =
      outcome.kind === 'applied'
        ? String(outcome.record.result_xdr)
        : outcome.rejection.result.toXDR('base64');
    const resultCodes =
      outcome.kind === 'applied' ? resultCodesFromXdr(resultXdr) : outcome.rejection.resultCodes;
    throw new Problem(400, {
      type: `${ERR}/transaction_failed`,
      title: 'Transaction Failed',
      status: 400,
      detail:
        'The transaction failed when submitted to the stellar network. The `extras.result_codes` field on this response contains further details.  Descriptions of each code can be found at: https://developers.stellar.org/docs/data/apis/horizon/api-reference/errors/http-status-codes/horizon-specific/transaction-failed',
      extras: {
        envelope_xdr: envelope,
        result_codes: resultCodes,
        result_xdr: resultXdr,
        ...(outcome.kind === 'applied' ? { hash: outcome.record.hash, ledger: outcome.record.ledger } : {}),
      },
    });
  });

  app.post('/transactions_async', async (c) => {
    const envelope = await envelopeOf(c);
    let r: Awaited<ReturnType<Ledger['submitAsync']>>;
    try {
      r = await ledger.submitAsync(envelope);
    } catch (err) {
      if (err instanceof MalformedTransaction) throw malformed(envelope);
      throw err;
    }
    const status = r.status === 'PENDING' ? 201 : r.status === 'DUPLICATE' ? 409 : 400;
    return c.json(
      { tx_status: r.status, hash: r.hash, ...(r.resultXdr ? { error_result_xdr: r.resultXdr } : {}) },
      status,
    );
  });

  app.get('/friendbot', async (c) => {
    const addr = c.req.query('addr') ?? '';
    if (!StrKey.isValidEd25519PublicKey(addr)) throw badRequest('addr', 'addr must be a G... account id');
    const outcome = await ledger.fund(addr, d.friendbotAmount);
    if (outcome.kind === 'applied' && outcome.record.successful)
      return c.json(withTxLinks(baseUrl(c), outcome.record));
    const resultXdr =
      outcome.kind === 'applied'
        ? String(outcome.record.result_xdr)
        : outcome.rejection.result.toXDR('base64');
    throw new Problem(400, {
      type: `${ERR}/transaction_failed`,
      title: 'Transaction Failed',
      status: 400,
      detail: 'friendbot could not fund this account (it probably exists already).',
      extras: { result_codes: resultCodesFromXdr(resultXdr), result_xdr: resultXdr },
    });
  });

  app.get('/ledgers', async (c) => {
    const p = paging(c, ledger.latest);
    const fetch = (q: PageQuery) =>
      store.ledgers({ ...q, cursor: q.cursor === undefined ? undefined : q.cursor >> 32n });
    const render = (h: LedgerHeader) => withLedgerLinks(baseUrl(c), ledgerRecord(h));
    if (wantsStream(c)) return streamRecords(c, d, p, async (q) => (await fetch(q)).map(render));
    const records = (await fetch({ ...p, includeFailed: true })).map(render);
    return c.json({ _links: pageLinks(c, p, records), _embedded: { records } });
  });

  app.get('/ledgers/:seq', async (c) => {
    const h = await store.ledger(ledgerSeq(c));
    if (!h) throw notFound();
    return c.json(withLedgerLinks(baseUrl(c), ledgerRecord(h)));
  });

  type Scope = (c: Context) => Pick<PageQuery, 'account' | 'ledger' | 'txHash'>;
  const byAccount: Scope = (c) => ({ account: accountId(c) });
  const byLedger: Scope = (c) => ({ ledger: ledgerSeq(c) });
  const byTransaction: Scope = (c) => ({ txHash: txHash(c) });
  const everything: Scope = () => ({});

  const transactions = (scope: Scope) => async (c: Context) => {
    const p = paging(c, ledger.latest);
    const where = scope(c);
    const includeFailed = c.req.query('include_failed') === 'true';
    const base = baseUrl(c);
    const fetch = async (q: PageQuery) =>
      (await store.transactions({ ...q, ...where, includeFailed })).map((r) => withTxLinks(base, r));
    if (wantsStream(c)) return streamRecords(c, d, p, fetch);
    const records = await fetch({ ...p, includeFailed });
    return c.json({ _links: pageLinks(c, p, records), _embedded: { records } });
  };
  app.get('/transactions', transactions(everything));
  app.get('/accounts/:id/transactions', transactions(byAccount));
  app.get('/ledgers/:seq/transactions', transactions(byLedger));

  /** /payments (payment-like operations only) and /operations, over every scope Horizon offers. */
  const operations = (scope: Scope, paymentsOnly: boolean) => async (c: Context) => {
    const p = paging(c, ledger.latest);
    const where = scope(c);
    const join = c.req.query('join');
    if (join !== undefined && join !== 'transactions') throw badRequest('join', 'join must be transactions');
    // operations of one transaction are listed whether it failed or not, as on Horizon
    const includeFailed = c.req.query('include_failed') === 'true' || where.txHash !== undefined;
    const base = baseUrl(c);
    const fetch = async (q: PageQuery) => {
      const rows = await store.operations({ ...q, ...where, includeFailed, paymentsOnly });
      const txs = join
        ? await store.transactionsByHash([...new Set(rows.map((r) => String(r.transaction_hash)))])
        : undefined;
      return rows.map((r) => {
        const rec = withOpLinks(base, r);
        const tx = txs?.get(String(r.transaction_hash));
        return tx ? { ...rec, transaction: withTxLinks(base, tx) } : rec;
      });
    };
    if (wantsStream(c)) return streamRecords(c, d, p, fetch);
    const records = await fetch({ ...p, includeFailed });
    return c.json({ _links: pageLinks(c, p, records), _embedded: { records } });
  };
  app.get('/payments', operations(everything, true));
  app.get('/accounts/:id/payments', operations(byAccount, true));
  app.get('/ledgers/:seq/payments', operations(byLedger, true));
  app.get('/transactions/:hash/payments', operations(byTransaction, true));
  app.get('/operations', operations(everything, false));
  app.get('/accounts/:id/operations', operations(byAccount, false));
  app.get('/ledgers/:seq/operations', operations(byLedger, false));
  app.get('/transactions/:hash/operations', operations(byTransaction, false));

  app.get('/operations/:opid', async (c) => {
    const raw = c.req.param('opid');
    if (!/^\d{1,19}$/.test(raw)) throw badRequest('id', 'operation id must be a number');
    const r = await store.operation(BigInt(raw));
    if (!r) throw notFound();
    const rec = withOpLinks(baseUrl(c), r);
    if (c.req.query('join') === 'transactions') {
      const tx = await store.transaction(String(r.transaction_hash));
      if (tx) return c.json({ ...rec, transaction: withTxLinks(baseUrl(c), tx) });
    }
    return c.json(rec);
  });

  registerPathRoutes(app, d);

  app.get('/claimable_balances/:id', (c) => {
    const b = ledger.state.getBalance(c.req.param('id').toLowerCase());
    if (!b) throw notFound();
    return c.json(claimableBalanceRecord(b));
  });

  app.get('/claimable_balances', (c) => {
    const claimant = c.req.query('claimant');
    const sponsor = c.req.query('sponsor');
    const records = [...ledger.state.balances.values()]
      .filter(
        (b) =>
          (!claimant || b.claimants.some((x) => x.destination === claimant)) &&
          (!sponsor || b.sponsor === sponsor),
      )
      .slice(0, 200)
      .map(claimableBalanceRecord);
    const self = { href: c.req.url };
    return c.json({ _links: { self, next: self, prev: self }, _embedded: { records } });
  });

  return app;
}

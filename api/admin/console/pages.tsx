import type { FC } from 'hono/jsx';
import type { StatusChange } from '../../../core/admin/history.js';
import type { WithdrawalReview } from '../../../db/admin-console.js';
import type { AlertRow } from '../../../db/alerts.js';
import type { UnmatchedTransferView } from '../../../db/bank.js';
import type { TransactionRow } from '../../../db/schema.js';
import { TRANSACTION_STATUSES } from '../../../db/schema.js';
import type { TopUpRow } from '../../../db/topups.js';
import { canonicalAmount } from '../../../stellar/money.js';
import { type ConsoleUser, Csrf, consoleUrl } from './layout.js';

/** The console's views: plain functions of what the route loaded, no I/O. Every form posts with its CSRF token. */

const when = (d: Date | null | undefined) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '—');
const orDash = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '—' : v);

/** An amount with its unit: deposits take in fiat and pay out the asset; withdrawals the other way round. */
export function units(tx: Pick<TransactionRow, 'kind' | 'asset_code'>, currency: string) {
  const asset = tx.asset_code;
  return tx.kind === 'deposit' ? { in: currency, out: asset } : { in: asset, out: currency };
}
/** Postgres NUMERIC spells `80.0000000`; the console shows the canonical `80`. */
const amount = (value: string | null, unit: string) =>
  value === null ? '—' : `${canonicalAmount(value)} ${unit}`;

export const txLink = (id: string) => consoleUrl(`/transactions/${encodeURIComponent(id)}`);

export const SignInPage: FC<{ csrf: string; error?: string | undefined; ended?: boolean }> = (p) => (
  <div class="card">
    {p.ended ? (
      <p class="notice" role="status">
        Your session ended. Sign in again.
      </p>
    ) : null}
    <form method="post" action={consoleUrl('/login')}>
      <Csrf token={p.csrf} />
      <div class="field">
        <label for="key">Admin key</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="off"
          required
          aria-describedby={p.error ? 'key-hint key-error' : 'key-hint'}
          aria-invalid={p.error ? 'true' : undefined}
        />
        <p class="hint" id="key-hint">
          A key from ADMIN_API_KEYS (npm run admin:key). In the sandbox, npm start prints one.
        </p>
        {p.error ? (
          <p class="error" id="key-error" role="alert">
            {p.error}
          </p>
        ) : null}
      </div>
      <button type="submit">Sign in</button>
    </form>
  </div>
);

export const ErrorView: FC<{ message: string; back?: string | undefined }> = (p) => (
  <div class="card">
    <p class="alert" role="alert">
      {p.message}
    </p>
    <p>
      <a href={p.back ?? consoleUrl('/')}>Back</a>
    </p>
  </div>
);

const TransactionsTable: FC<{ rows: TransactionRow[]; currency: string; caption: string }> = (p) => (
  <section class="table-wrap" tabindex={0} aria-label={p.caption}>
    <table>
      <caption>{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Transaction</th>
          <th scope="col">Kind</th>
          <th scope="col">Status</th>
          <th scope="col">Amount in</th>
          <th scope="col">Account</th>
          <th scope="col">Started (UTC)</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.length === 0 ? (
          <tr>
            <td colspan={6}>None.</td>
          </tr>
        ) : (
          p.rows.map((t) => (
            <tr>
              <td>
                <a href={txLink(t.id)} class="mono">
                  {t.id}
                </a>
              </td>
              <td>{t.kind}</td>
              <td>{t.status}</td>
              <td class="num">{amount(t.amount_in ?? t.amount_expected, units(t, p.currency).in)}</td>
              <td class="mono">{t.stellar_account}</td>
              <td class="num">{when(t.started_at)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  </section>
);

export const OverviewPage: FC<{
  user: ConsoleUser;
  currency: string;
  awaiting: TransactionRow[];
  unmatched: number | undefined;
  topUps: TopUpRow[] | undefined;
  alerts: AlertRow[] | undefined;
}> = (p) => (
  <>
    <section aria-labelledby="awaiting">
      <h2 id="awaiting">Withdrawals waiting for a decision</h2>
      <TransactionsTable rows={p.awaiting} currency={p.currency} caption={`${p.awaiting.length} waiting`} />
    </section>
    {p.unmatched !== undefined ? (
      <section aria-labelledby="unmatched">
        <h2 id="unmatched">Unmatched bank transfers</h2>
        <p>
          <a href={consoleUrl('/bank/unmatched')}>{p.unmatched} open</a>
        </p>
      </section>
    ) : null}
    {p.topUps ? (
      <section aria-labelledby="topups">
        <h2 id="topups">Top-ups awaiting a signature</h2>
        <p>
          <a href={consoleUrl('/topups')}>{p.topUps.length} awaiting</a>
        </p>
      </section>
    ) : null}
    {p.alerts ? (
      <section aria-labelledby="alerts">
        <h2 id="alerts">Open alerts</h2>
        <p>
          <a href={consoleUrl('/alerts')}>{p.alerts.length} open</a>
        </p>
      </section>
    ) : null}
  </>
);

export interface TransactionFilters {
  status?: string | undefined;
  kind?: string | undefined;
  account?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export const TransactionsPage: FC<{
  currency: string;
  filters: TransactionFilters;
  rows: TransactionRow[];
  next: string | null;
}> = (p) => {
  const nextQuery = new URLSearchParams(
    Object.entries({ ...p.filters, cursor: p.next ?? '' }).filter(([, v]) => v) as [string, string][],
  );
  return (
    <>
      <form method="get" action={consoleUrl('/transactions')} class="card">
        <div class="filters">
          <div class="field">
            <label for="f-status">Status</label>
            <select id="f-status" name="status">
              <option value="">Any</option>
              {TRANSACTION_STATUSES.map((s) => (
                <option value={s} selected={p.filters.status === s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="f-kind">Kind</label>
            <select id="f-kind" name="kind">
              <option value="">Any</option>
              <option value="deposit" selected={p.filters.kind === 'deposit'}>
                deposit
              </option>
              <option value="withdrawal" selected={p.filters.kind === 'withdrawal'}>
                withdrawal
              </option>
            </select>
          </div>
          <div class="field">
            <label for="f-account">Stellar account</label>
            <input id="f-account" name="account" value={p.filters.account ?? ''} placeholder="G… or M…" />
          </div>
          <div class="field">
            <label for="f-from">Started from (UTC)</label>
            <input id="f-from" name="from" type="date" value={p.filters.from ?? ''} />
          </div>
          <div class="field">
            <label for="f-to">Started before (UTC)</label>
            <input id="f-to" name="to" type="date" value={p.filters.to ?? ''} />
          </div>
        </div>
        <button type="submit">Search</button>
      </form>
      <TransactionsTable rows={p.rows} currency={p.currency} caption={`${p.rows.length} shown`} />
      {p.next ? (
        <p>
          <a href={`${consoleUrl('/transactions')}?${nextQuery}`}>Next page</a>
        </p>
      ) : null}
    </>
  );
};

export const TransactionPage: FC<{
  user: ConsoleUser;
  tx: TransactionRow;
  currency: string;
  kycStatus: string | undefined;
  review: WithdrawalReview | undefined;
  history: StatusChange[] | undefined;
  workflow: { id: string; url: string };
}> = (p) => {
  const { tx, user } = p;
  const u = units(tx, p.currency);
  const canWrite = user.scopes.has('transactions:write');
  const awaitingDecision =
    tx.kind === 'withdrawal' &&
    tx.status === 'pending_anchor' &&
    p.review?.approval_reasons &&
    !p.review.decision;
  return (
    <>
      <section aria-labelledby="facts" class="card">
        <h2 id="facts">Transaction</h2>
        <dl class="facts">
          <dt>Id</dt>
          <dd class="mono">{tx.id}</dd>
          <dt>Kind</dt>
          <dd>{tx.kind}</dd>
          <dt>Status</dt>
          <dd id="tx-status">{tx.status}</dd>
          <dt>Amount expected</dt>
          <dd>{amount(tx.amount_expected, u.in)}</dd>
          <dt>Amount in</dt>
          <dd>{amount(tx.amount_in, u.in)}</dd>
          <dt>Fee</dt>
          <dd>{amount(tx.amount_fee, u.in)}</dd>
          <dt>Amount out</dt>
          <dd>{amount(tx.amount_out, u.out)}</dd>
          <dt>Stellar account</dt>
          <dd class="mono">{tx.stellar_account}</dd>
          <dt>KYC</dt>
          <dd id="tx-kyc">
            {p.kycStatus ?? (user.scopes.has('kyc:read') ? 'no customer record' : 'needs the kyc:read scope')}
            {tx.kyc_verified === null
              ? ''
              : tx.kyc_verified
                ? ' (verified for this transaction)'
                : ' (not verified)'}
          </dd>
          {tx.bank_reference ? (
            <>
              <dt>Bank reference</dt>
              <dd class="mono">{tx.bank_reference}</dd>
            </>
          ) : null}
          {p.review?.destination_masked ? (
            <>
              <dt>Pays out to</dt>
              <dd class="mono">{p.review.destination_masked}</dd>
            </>
          ) : null}
          <dt>Stellar transaction</dt>
          <dd class="mono">{orDash(tx.stellar_transaction_id)}</dd>
          <dt>Bank transaction</dt>
          <dd class="mono">{orDash(tx.external_transaction_id)}</dd>
          <dt>Message</dt>
          <dd>{orDash(tx.message)}</dd>
          <dt>Started · updated · completed (UTC)</dt>
          <dd>
            {when(tx.started_at)} · {when(tx.updated_at)} · {when(tx.completed_at)}
          </dd>
          <dt>Workflow</dt>
          <dd>
            <a href={p.workflow.url} class="mono" rel="noreferrer">
              {p.workflow.id}
            </a>{' '}
            (Temporal UI)
          </dd>
        </dl>
      </section>

      {p.review?.approval_reasons ? (
        <section aria-labelledby="review" class="card">
          <h2 id="review">Review</h2>
          <p>Held because: {p.review.approval_reasons.join('; ')}</p>
          {p.review.decision ? (
            <p id="review-decision">
              {p.review.decision === 'approve' ? 'Approved' : 'Rejected'} by {p.review.decided_by} at{' '}
              {when(p.review.decided_at)}
              {p.review.decision_reason ? `: ${p.review.decision_reason}` : ''}
            </p>
          ) : null}
        </section>
      ) : null}

      {canWrite ? (
        <div class="actions">
          {awaitingDecision ? (
            <form
              method="post"
              action={consoleUrl(`/withdrawals/${encodeURIComponent(tx.id)}/decision`)}
              class="card"
            >
              <h2>Decide</h2>
              <Csrf token={user.csrf} />
              <div class="field">
                <label for="decision-reason">Reason (recorded in the audit trail)</label>
                <textarea id="decision-reason" name="reason" required maxlength={500} />
              </div>
              <p class="inline">
                <button type="submit" name="decision" value="approve">
                  Approve withdrawal
                </button>
              </p>
              <p class="inline">
                <button type="submit" name="decision" value="reject" class="danger">
                  Reject withdrawal
                </button>
              </p>
            </form>
          ) : null}
          <form
            method="post"
            action={consoleUrl(`/transactions/${encodeURIComponent(tx.id)}/refund`)}
            class="card"
          >
            <h2>Refund</h2>
            <Csrf token={user.csrf} />
            <div class="field">
              <label for="refund-reason">Reason</label>
              <textarea id="refund-reason" name="reason" required maxlength={500} />
            </div>
            <button type="submit" class="danger">
              Refund what was received
            </button>
          </form>
        </div>
      ) : null}

      <section aria-labelledby="history">
        <h2 id="history">Status history</h2>
        {p.history ? (
          <section class="table-wrap" tabindex={0} aria-label="Status history">
            <table>
              <thead>
                <tr>
                  <th scope="col">At (UTC)</th>
                  <th scope="col">Status</th>
                  <th scope="col">Message</th>
                </tr>
              </thead>
              <tbody>
                {p.history.map((h) => (
                  <tr>
                    <td class="num">{when(h.at)}</td>
                    <td>{h.status}</td>
                    <td>{orDash(h.message)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : (
          <p>Temporal has no history for this workflow (never started, or past the namespace's retention).</p>
        )}
      </section>
    </>
  );
};

export const UnmatchedPage: FC<{
  user: ConsoleUser;
  rows: UnmatchedTransferView[];
  mask: (a: string | null) => string | null;
}> = (p) => {
  const canWrite = p.user.scopes.has('bank:write');
  return (
    <>
      <section class="table-wrap" tabindex={0} aria-label="Unmatched transfers">
        <table>
          <caption>{p.rows.length} open</caption>
          <thead>
            <tr>
              <th scope="col">Transfer</th>
              <th scope="col">Amount</th>
              <th scope="col">Reference</th>
              <th scope="col">From</th>
              <th scope="col">Why unmatched</th>
              <th scope="col">Booked (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.length === 0 ? (
              <tr>
                <td colspan={6}>None.</td>
              </tr>
            ) : (
              p.rows.map((r) => (
                <tr>
                  <td class="mono">{r.bank_transfer_id}</td>
                  <td class="num">{amount(r.amount, r.currency)}</td>
                  <td class="mono">{orDash(r.reference)}</td>
                  <td class="mono">{orDash(p.mask(r.from_account))}</td>
                  <td>
                    {r.reason}
                    {r.detail ? `: ${r.detail}` : ''}
                  </td>
                  <td class="num">{when(r.booked_at)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
      {canWrite
        ? p.rows.map((r, i) => (
            <section aria-labelledby={`resolve-${i}`} class="actions">
              <h2 id={`resolve-${i}`} style="grid-column:1/-1;margin:0">
                Resolve <span class="mono">{r.bank_transfer_id}</span>
              </h2>
              <form
                method="post"
                action={consoleUrl(`/bank/unmatched/${encodeURIComponent(r.bank_transfer_id)}/attach`)}
                class="card"
              >
                <Csrf token={p.user.csrf} />
                <div class="field">
                  <label for={`attach-tx-${i}`}>Deposit it funds (transaction id)</label>
                  <input
                    id={`attach-tx-${i}`}
                    name="transaction_id"
                    required
                    maxlength={100}
                    value={r.candidate_transaction_ids?.[0] ?? ''}
                  />
                </div>
                <div class="field">
                  <label for={`attach-note-${i}`}>Note</label>
                  <input id={`attach-note-${i}`} name="note" maxlength={500} />
                </div>
                <button type="submit">Attach to deposit</button>
              </form>
              <form
                method="post"
                action={consoleUrl(`/bank/unmatched/${encodeURIComponent(r.bank_transfer_id)}/refund`)}
                class="card"
              >
                <Csrf token={p.user.csrf} />
                <div class="field">
                  <label for={`refund-reason-${i}`}>Reason</label>
                  <input id={`refund-reason-${i}`} name="reason" required maxlength={500} />
                </div>
                <button type="submit" class="danger">
                  Refund to sender
                </button>
              </form>
            </section>
          ))
        : null}
    </>
  );
};

export const TopUpsPage: FC<{ user: ConsoleUser; rows: TopUpRow[] }> = (p) => {
  const canWrite = p.user.scopes.has('topups:write');
  return (
    <>
      {p.rows.length === 0 ? <p>No top-up is waiting for a signature.</p> : null}
      {p.rows.map((t, i) => (
        <section aria-labelledby={`topup-${i}`} class="card">
          <h2 id={`topup-${i}`}>Top-up of {amount(t.amount, t.asset_code)}</h2>
          <dl class="facts">
            <dt>Id</dt>
            <dd class="mono">{t.id}</dd>
            <dt>Status</dt>
            <dd>{t.status}</dd>
            <dt>Balance before</dt>
            <dd>{amount(t.balance_before, t.asset_code)}</dd>
            <dt>Transaction hash</dt>
            <dd class="mono">{t.tx_hash}</dd>
            <dt>Created (UTC)</dt>
            <dd>{when(t.created_at)}</dd>
            {t.last_rejection ? (
              <>
                <dt>Last rejection</dt>
                <dd>{t.last_rejection}</dd>
              </>
            ) : null}
          </dl>
          <div class="field">
            <label for={`unsigned-${i}`}>Envelope to sign (base64 XDR)</label>
            <textarea id={`unsigned-${i}`} class="xdr" readonly>
              {t.unsigned_xdr}
            </textarea>
          </div>
          {canWrite && t.status === 'awaiting_signature' ? (
            <form method="post" action={consoleUrl(`/topups/${encodeURIComponent(t.id)}/signed-envelope`)}>
              <Csrf token={p.user.csrf} />
              <div class="field">
                <label for={`signed-${i}`}>Signed envelope (base64 XDR)</label>
                <textarea id={`signed-${i}`} name="envelope_xdr" class="xdr" required maxlength={100000} />
              </div>
              <button type="submit">Submit signed envelope</button>
            </form>
          ) : null}
        </section>
      ))}
    </>
  );
};

export const AlertsPage: FC<{ user: ConsoleUser; rows: AlertRow[] }> = (p) => {
  const canWrite = p.user.scopes.has('ops:write');
  return (
    <section class="table-wrap" tabindex={0} aria-label="Alerts">
      <table>
        <caption>{p.rows.length} open</caption>
        <thead>
          <tr>
            <th scope="col">Raised (UTC)</th>
            <th scope="col">Kind</th>
            <th scope="col">About</th>
            <th scope="col">Message</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.length === 0 ? (
            <tr>
              <td colspan={5}>None.</td>
            </tr>
          ) : (
            p.rows.map((a) => (
              <tr>
                <td class="num">{when(a.created_at)}</td>
                <td>{a.kind}</td>
                <td class="mono">
                  {a.transaction_id ? (
                    a.kind.startsWith('topup') ? (
                      a.transaction_id
                    ) : (
                      <a href={txLink(a.transaction_id)}>{a.transaction_id}</a>
                    )
                  ) : (
                    '—'
                  )}
                </td>
                <td>{a.message}</td>
                <td>
                  {canWrite ? (
                    <form method="post" action={consoleUrl(`/alerts/${a.id}/ack`)} class="inline">
                      <Csrf token={p.user.csrf} />
                      <button type="submit" aria-label={`Acknowledge alert ${a.id}`}>
                        Acknowledge
                      </button>
                    </form>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
};

import { createRoute, z } from '@hono/zod-openapi';
import type { FC } from 'hono/jsx';
import type { AppConfig } from '../../config/index.js';
import { formatDateTime, formatMoney, type Lang } from '../../core/i18n/index.js';
import { pageText } from '../../core/i18n/pages.js';
import { sep24Text } from '../../core/i18n/sep24.js';
import { kycRequirement } from '../../core/policies/kyc-tiers.js';
import { currencyOf } from '../../core/quotes/transfer.js';
import { fiatAssetId, moreInfoUrl } from '../../core/transactions/serialize.js';
import { customerOfTransaction, customerStatusForTier, findCustomer } from '../../db/customers.js';
import type { Db } from '../../db/index.js';
import type { KycStatus, TransactionRow } from '../../db/schema.js';
import { getTransaction } from '../../db/transactions.js';
import type { ApiDeps } from '../deps.js';
import { text } from '../openapi/fields.js';
import { createRouter } from '../openapi/hono.js';
import { errorResponse, json } from '../openapi/responses.js';
import { documentation } from '../sep1/index.js';

/**
 * What a hosted page shows for a transaction, decided in one place for the deposit pages, the withdrawal pages,
 * the state poll and more_info, so that reopening any of them tells the truth: a finished transaction never
 * reads "session expired", a KYC the provider sent back shows the correction form, a rejection says why and
 * what to do next.
 */
export type PageView =
  | 'incomplete'
  | 'kyc_needs_info'
  | 'kyc_processing'
  | 'kyc_rejected'
  | 'open'
  | 'completed'
  | 'refunded'
  | 'expired'
  | 'error';

export interface TransactionView {
  view: PageView;
  /** The provider's reason (customer `message`, S12-07) with NEEDS_INFO or REJECTED. */
  reason: string | null;
  /** `status:view`: what the poll compares (a change reloads the page). */
  state: string;
}

const FINAL_VIEWS: Record<string, PageView> = {
  completed: 'completed',
  refunded: 'refunded',
  expired: 'expired',
};

export async function transactionView(
  db: Db,
  config: AppConfig,
  row: TransactionRow,
): Promise<TransactionView> {
  const make = (view: PageView, reason: string | null = null): TransactionView => ({
    view,
    reason,
    state: `${row.status}:${view}`,
  });
  const key = customerOfTransaction(row);
  const finalView = FINAL_VIEWS[row.status];
  if (finalView) return make(finalView);
  if (row.status === 'error') {
    if (row.kyc_verified === false)
      return make('kyc_rejected', (await findCustomer(db, key))?.message ?? null);
    return make('error');
  }
  if (row.status === 'incomplete') return make('incomplete');
  if (row.kyc_verified === false && row.amount_expected) {
    // The workflow waits for a KYC verdict: the provider may have sent fields back (NEEDS_INFO).
    const { tier } = kycRequirement(config, { amount: row.amount_expected });
    const kyc: KycStatus = (await customerStatusForTier(db, key, tier)).status;
    if (kyc === 'NEEDS_INFO' || kyc === 'REJECTED') {
      const reason = (await findCustomer(db, key))?.message ?? null;
      return make(kyc === 'NEEDS_INFO' ? 'kyc_needs_info' : 'kyc_rejected', reason);
    }
    if (kyc !== 'ACCEPTED') return make('kyc_processing');
  }
  return make('open');
}

/** The unit of each amount of a transaction, as the SEP-24 wire form names them (amount_in_asset, ...). */
export function amountUnits(row: TransactionRow): { in: string; fee: string; out: string } {
  // A conversion's off-chain side is its own currency (BRL); the fee is in the asset its fee_details name.
  const fiat = currencyOf(row.offchain_asset) ?? fiatAssetId(row.asset_code).slice('iso4217:'.length);
  const units =
    row.kind === 'deposit'
      ? { in: fiat, fee: fiat, out: row.asset_code }
      : { in: row.asset_code, fee: row.asset_code, out: fiat };
  const feeAsset = row.fee_details?.asset;
  if (feeAsset) units.fee = currencyOf(feeAsset) ?? row.asset_code;
  return units;
}

/** The asset's display_decimals (toml [[CURRENCIES]]), the minimum places every amount is shown with. */
export const displayDecimals = (config: AppConfig): number => config.sep1.currency.displayDecimals;

/** The transaction's amounts, each with its own unit; a refunded one shows the refund, not "0.00 received". */
export const AmountsList: FC<{ config: AppConfig; lang: Lang; row: TransactionRow }> = ({
  config,
  lang,
  row,
}) => {
  const { t } = sep24Text(lang);
  const units = amountUnits(row);
  const money = (v: string | null | undefined, unit: string) =>
    v === null || v === undefined ? '—' : formatMoney(lang, v, unit, displayDecimals(config));
  const refunded = row.refunds?.amount_refunded;
  return (
    <dl class="summary" id="amounts">
      <dt>{t('sep24.field.amount_in')}</dt>
      <dd id="tx-amount_in">{money(row.amount_in ?? row.amount_expected, units.in)}</dd>
      {row.amount_fee !== null ? (
        <>
          <dt>{t('sep24.field.amount_fee')}</dt>
          <dd id="tx-amount_fee">{money(row.amount_fee, units.fee)}</dd>
        </>
      ) : null}
      {refunded ? (
        <>
          <dt>{t('sep24.status.refunded')}</dt>
          <dd id="tx-amount_refunded">{money(refunded, units.in)}</dd>
        </>
      ) : row.amount_out !== null ? (
        <>
          <dt>{t('sep24.field.amount_out')}</dt>
          <dd id="tx-amount_out">{money(row.amount_out, units.out)}</dd>
        </>
      ) : null}
    </dl>
  );
};

/**
 * The body of a page about a transaction in a given view (everything but `incomplete`, which the flows' forms
 * handle, and the correction form of `kyc_needs_info`, which the flow passes as `children`).
 */
export const TransactionState: FC<{
  config: AppConfig;
  lang: Lang;
  row: TransactionRow;
  view: TransactionView;
  /** The page was reopened after its session ended (a finished flow closes it). */
  sessionEnded?: boolean;
  children?: unknown;
}> = (props) => {
  const { config, lang, row, view } = props;
  const { t } = sep24Text(lang);
  const p = pageText(lang).t;
  const kind = p(`page.kind.${row.kind}`);
  const email = documentation(config).ORG_SUPPORT_EMAIL;
  const units = amountUnits(row);
  const money = (v: string, unit: string) => formatMoney(lang, v, unit, displayDecimals(config));
  const reason = view.reason ?? row.message;
  const details = (
    <>
      <dl class="summary">
        <dt>{p('page.transaction_id')}</dt>
        <dd class="mono" id="tx-id">
          {row.id}
        </dd>
        <dt>{t('sep24.field.status')}</dt>
        <dd id="tx-status" data-status={row.status}>
          {t(`sep24.status.${row.status}`)}
        </dd>
        {row.stellar_transaction_id ? (
          <>
            <dt>{t('sep24.field.stellar_transaction_id')}</dt>
            <dd class="mono" id="tx-stellar_transaction_id">
              {row.stellar_transaction_id}
            </dd>
          </>
        ) : null}
        {row.completed_at ? (
          <>
            <dt>{t('sep24.field.completed_at')}</dt>
            <dd id="tx-completed_at">{formatDateTime(lang, row.completed_at)}</dd>
          </>
        ) : null}
      </dl>
      <AmountsList config={config} lang={lang} row={row} />
      <a class="button" href={`${moreInfoUrl(config, row.id)}&lang=${encodeURIComponent(lang)}`}>
        {p('page.details')}
      </a>
    </>
  );
  const body = (() => {
    switch (view.view) {
      case 'kyc_needs_info':
        return (
          <>
            <p class="notice" id="needs-info" role="status">
              {p('state.needs_info.intro', { kind })}
            </p>
            {view.reason ? (
              <p class="alert" id="kyc-reason">
                {p('state.reason', { reason: view.reason })}
              </p>
            ) : null}
            {props.children as never}
          </>
        );
      case 'kyc_rejected':
        return (
          <>
            <p class="alert" role="alert" id="kyc-rejected">
              {p('state.rejected.body', { kind })}
            </p>
            {reason ? <p id="kyc-reason">{p('state.reason', { reason })}</p> : null}
            <p id="next-step">{p('state.rejected.next', { email, id: row.id })}</p>
            {details}
          </>
        );
      case 'completed':
        return (
          <>
            <p class="success" role="status" id="completed">
              {p(`state.completed.body.${row.kind}`, { amount: money(row.amount_out ?? '0', units.out) })}
            </p>
            {details}
          </>
        );
      case 'refunded':
        return (
          <>
            <p class="notice" role="status" id="refunded">
              {p('state.refunded.body', {
                amount: money(row.refunds?.amount_refunded ?? row.amount_in ?? '0', units.in),
              })}
            </p>
            {row.message ? <p id="tx-message">{row.message}</p> : null}
            {details}
          </>
        );
      case 'expired':
        return (
          <>
            <p class="notice" role="status" id="expired">
              {p('state.expired.body')}
            </p>
            {row.message ? <p id="tx-message">{row.message}</p> : null}
            {details}
          </>
        );
      case 'error':
        return (
          <>
            <p class="alert" role="alert" id="failed">
              {row.message ?? t('sep24.status.error')}
            </p>
            <p id="next-step">{p('state.error.body', { email, id: row.id })}</p>
            {details}
          </>
        );
      default:
        return (
          <>
            <p class="notice" role="status" id={view.view === 'kyc_processing' ? 'kyc-processing' : 'status'}>
              {view.view === 'kyc_processing'
                ? t('sep24.deposit.kyc_processing')
                : t(`sep24.status.${row.status}`)}
            </p>
            {row.message ? <p id="tx-message">{row.message}</p> : null}
            {row.status === 'pending_trust' ? (
              // What the user must do, and by when (the workflow stores its trust-line deadline on the row).
              <>
                <dl class="summary" id="trust-line">
                  <dt>{p('state.trust.asset')}</dt>
                  <dd id="trust-asset">{row.asset_code}</dd>
                  <dt>{p('state.trust.issuer')}</dt>
                  <dd>
                    <code class="mono" id="trust-issuer">
                      {row.asset_issuer ?? ''}
                    </code>
                  </dd>
                  {row.user_action_required_by ? (
                    <>
                      <dt>{p('state.trust.deadline')}</dt>
                      <dd id="trust-deadline">{formatDateTime(lang, row.user_action_required_by)}</dd>
                    </>
                  ) : null}
                </dl>
                <p id="trust-how">
                  {p('state.trust.how', { code: row.asset_code, issuer: row.asset_issuer ?? '' })}
                </p>
              </>
            ) : null}
            {row.status_eta ? (
              <p id="status-eta">
                {p('state.eta', { minutes: Math.max(1, Math.ceil(row.status_eta / 60)) })}
              </p>
            ) : null}
            {details}
            <p class="hint">{p('page.close_hint')}</p>
          </>
        );
    }
  })();
  return (
    <div id="transaction-state" data-view={view.view} data-status={row.status}>
      {props.sessionEnded && view.view !== 'kyc_needs_info' ? (
        <p class="hint" id="session-ended">
          {p('state.session_ended', { kind })}
        </p>
      ) : null}
      {body}
    </div>
  );
};

/** The heading of a page about a transaction in a view. */
export function stateTitle(lang: Lang, row: TransactionRow, view: PageView): string {
  const p = pageText(lang).t;
  const kind = p(`page.kind.${row.kind}`);
  switch (view) {
    case 'kyc_needs_info':
      return p('state.needs_info.title');
    case 'kyc_rejected':
      return p('state.rejected.title');
    case 'completed':
      return p(`state.completed.title.${row.kind}`);
    case 'refunded':
      return p('state.refunded.title');
    case 'expired':
      return p('state.expired.title', { kind });
    case 'error':
      return p('state.error.title', { kind });
    default:
      return p('state.waiting.title', { kind });
  }
}

/** Views in which nothing changes any more: the page stops polling. */
export const isFinalView = (view: PageView): boolean =>
  view === 'completed' ||
  view === 'refunded' ||
  view === 'expired' ||
  view === 'error' ||
  view === 'kyc_rejected';

/**
 * GET /sep24/interactive/state?id=… → `{"state":"pending_anchor:kyc_processing"}`: what the open pages poll.
 * The id is the unguessable UUID more_info already takes; the answer holds no amount and no personal data.
 */
export function stateApp(deps: Pick<ApiDeps, 'db' | 'config'>) {
  const app = createRouter();
  const route = createRoute({
    method: 'get',
    path: '/state',
    tags: ['SEP-24 hosted pages'],
    summary: 'The state the open pages poll (no amount, no personal data)',
    request: { query: z.object({ id: text(64).optional() }) },
    responses: {
      200: json(z.object({ state: z.string() }), 'the page state'),
      404: errorResponse('unknown transaction'),
    },
  });
  app.openapi(route, async (c) => {
    c.header('Cache-Control', 'no-store');
    const id = c.req.valid('query').id ?? '';
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await getTransaction(deps.db, id) : undefined;
    if (!row) return c.json({ error: 'unknown transaction' }, 404);
    const view = await transactionView(deps.db, deps.config, row);
    return c.json({ state: view.state }, 200);
  });
  return app;
}

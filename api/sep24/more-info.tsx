import { createRoute } from '@hono/zod-openapi';
import { formatDateTime, formatMoney, negotiateLang } from '../../core/i18n/index.js';
import { sep24Text } from '../../core/i18n/sep24.js';
import { getTransaction } from '../../db/transactions.js';
import type { ApiDeps } from '../deps.js';
import { HostedPage, setHostedPageHeaders } from '../interactive/layout.js';
import { amountUnits, displayDecimals } from '../interactive/state.js';
import { createRouter } from '../openapi/hono.js';
import { html } from '../openapi/responses.js';
import { moreInfoQuery } from './schemas.js';

const moreInfoRoute = createRoute({
  method: 'get',
  path: '/more_info',
  tags: ['SEP-24'],
  summary: 'more_info_url page of a transaction (HTML)',
  request: { query: moreInfoQuery },
  responses: { 200: html('status, amounts and dates'), 404: html('unknown transaction') },
});

/**
 * GET /sep24/more_info?id=… (S24-27 `more_info_url`: VAL requires 200 text/html). The id is an unguessable
 * UUID; the page shows status, amounts and dates in the user's language, and no personal data.
 */
export function sep24MoreInfoApp(deps: ApiDeps) {
  const { config, db } = deps;
  const app = createRouter();
  app.openapi(moreInfoRoute, async (c) => {
    setHostedPageHeaders(c, config);
    const query = c.req.valid('query');
    const id = query.id ?? '';
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await getTransaction(db, id) : undefined;
    const lang = negotiateLang({
      lang: query.lang,
      acceptLanguage: c.req.header('Accept-Language'),
      stored: row?.lang,
    });
    const { t } = sep24Text(lang);
    if (!row) {
      return c.html(
        <HostedPage config={config} lang={lang} title={t('sep24.more_info.not_found')}>
          <p class="alert">{t('sep24.more_info.not_found')}</p>
        </HostedPage>,
        404,
      );
    }
    // Each amount in its own unit (a withdrawal sends USDC and receives USD); a refund shows what came back.
    const units = amountUnits(row);
    const money = (v: string | null, unit: string) =>
      v === null ? '—' : formatMoney(lang, v, unit, displayDecimals(config));
    const when = (d: Date | null) => (d ? formatDateTime(lang, d) : '—');
    const rows: [string, string, string][] = [
      ['kind', t('sep24.field.kind'), t(`sep24.kind.${row.kind}`)],
      ['status', t('sep24.field.status'), t(`sep24.status.${row.status}`)],
      ['amount_in', t('sep24.field.amount_in'), money(row.amount_in ?? row.amount_expected, units.in)],
      ['amount_fee', t('sep24.field.amount_fee'), money(row.amount_fee, units.fee)],
      row.refunds
        ? ['amount_refunded', t('sep24.status.refunded'), money(row.refunds.amount_refunded, units.in)]
        : ['amount_out', t('sep24.field.amount_out'), money(row.amount_out, units.out)],
      ['started_at', t('sep24.field.started_at'), when(row.started_at)],
      ['updated_at', t('sep24.field.updated_at'), when(row.updated_at)],
    ];
    if (row.completed_at) rows.push(['completed_at', t('sep24.field.completed_at'), when(row.completed_at)]);
    if (row.stellar_transaction_id) {
      rows.push([
        'stellar_transaction_id',
        t('sep24.field.stellar_transaction_id'),
        row.stellar_transaction_id,
      ]);
    }
    if (row.message) rows.push(['message', t('sep24.field.message'), row.message]);
    return c.html(
      <HostedPage config={config} lang={lang} title={t('sep24.more_info.title', { id: row.id.slice(0, 8) })}>
        <div class="card" data-status={row.status} id="more-info">
          <dl class="summary">
            {rows.map(([key, label, value]) => (
              <>
                <dt>{label}</dt>
                <dd id={`tx-${key}`}>{value}</dd>
              </>
            ))}
          </dl>
        </div>
      </HostedPage>,
    );
  });
  return app;
}

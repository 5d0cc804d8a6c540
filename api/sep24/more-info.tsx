import { Hono } from 'hono';
import { formatAmount, formatDateTime, resolveLang } from '../../core/i18n/index.js';
import { sep24Text } from '../../core/i18n/sep24.js';
import { getTransaction } from '../../db/transactions.js';
import type { ApiDeps } from '../deps.js';
import { HostedPage, setHostedPageHeaders } from '../interactive/layout.js';

/**
 * GET /sep24/more_info?id=… (S24-27 `more_info_url`: VAL requires 200 text/html). The id is an unguessable
 * UUID; the page shows status, amounts and dates in the user's language, and no personal data.
 */
export function sep24MoreInfoApp(deps: ApiDeps) {
  const { config, db } = deps;
  const app = new Hono();
  app.get('/more_info', async (c) => {
    setHostedPageHeaders(c, config);
    const id = c.req.query('id') ?? '';
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await getTransaction(db, id) : undefined;
    const lang = resolveLang(c.req.query('lang') ?? row?.lang);
    const { t } = sep24Text(lang);
    if (!row) {
      return c.html(
        <HostedPage config={config} lang={lang} title={t('sep24.more_info.not_found')}>
          <p class="alert">{t('sep24.more_info.not_found')}</p>
        </HostedPage>,
        404,
      );
    }
    const money = (v: string | null) =>
      v === null ? '—' : formatAmount(lang, v, { minimumFractionDigits: 2 });
    const when = (d: Date | null) => (d ? formatDateTime(lang, d) : '—');
    const rows: [string, string, string][] = [
      ['kind', t('sep24.field.kind'), t(`sep24.kind.${row.kind}`)],
      ['status', t('sep24.field.status'), t(`sep24.status.${row.status}`)],
      ['amount_in', t('sep24.field.amount_in'), money(row.amount_in ?? row.amount_expected)],
      ['amount_fee', t('sep24.field.amount_fee'), money(row.amount_fee)],
      ['amount_out', t('sep24.field.amount_out'), `${money(row.amount_out)} ${row.asset_code}`],
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

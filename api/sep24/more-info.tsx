import { createRoute, z } from '@hono/zod-openapi';
import { formatDateTime, formatMoney, negotiateLang } from '../../core/i18n/index.js';
import { sep24Text } from '../../core/i18n/sep24.js';
import { isMoreInfoSignature } from '../../core/transactions/serialize.js';
import { awaitsRequoteConsent } from '../../core/transfers/sep6-wire.js';
import { getTransaction } from '../../db/transactions.js';
import type { ApiDeps } from '../deps.js';
import { HostedPage, hostedPageHeaders } from '../interactive/layout.js';
import { pagePost } from '../interactive/routes.js';
import { amountUnits, displayDecimals } from '../interactive/state.js';
import { text } from '../openapi/fields.js';
import { createRouter } from '../openapi/hono.js';
import { html } from '../openapi/responses.js';
import { answerRequoteOnce } from '../sep6/update.js';
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
  app.use(moreInfoRoute.path, hostedPageHeaders(config));
  app.openapi(moreInfoRoute, async (c) => {
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
        {awaitsRequoteConsent(row) && row.quote_id && isMoreInfoSignature(config, row.id, query.sig) ? (
          <form
            method="post"
            action={`${config.api.publicUrl}/sep24/more_info/quote`}
            class="card"
            id="requote"
          >
            <p>{row.message}</p>
            <input type="hidden" name="id" value={row.id} />
            <input type="hidden" name="quote_id" value={row.quote_id} />
            <input type="hidden" name="sig" value={query.sig} />
            <input type="hidden" name="lang" value={lang} />
            <button type="submit" name="answer" value="yes" id="requote-accept">
              {t('sep24.more_info.requote_accept')}
            </button>{' '}
            <button type="submit" name="answer" value="no" class="secondary" id="requote-decline">
              {t('sep24.more_info.requote_decline')}
            </button>
          </form>
        ) : null}
      </HostedPage>,
    );
  });

  /**
   * The answer to a requote (SEP38_EXPIRED_QUOTE_RULE=requote) from the more_info page: only through the signed
   * more_info_url the wallet got with its JWT (`sig`), for the quote offered, once, and only while it is offered.
   */
  app.use('/more_info/quote', hostedPageHeaders(config));
  app.openapi(
    pagePost('/more_info/quote', 'Accept or decline a requote (more_info page)', requoteForm, 'SEP-24'),
    async (c) => {
      const form = c.req.valid('form') as z.output<typeof requoteForm>;
      const row = /^[0-9a-f-]{36}$/i.test(form.id) ? await getTransaction(db, form.id) : undefined;
      const back = `${config.api.publicUrl}/sep24/more_info?${new URLSearchParams({ id: form.id, sig: form.sig, ...(form.lang ? { lang: form.lang } : {}) })}`;
      if (
        row &&
        isMoreInfoSignature(config, row.id, form.sig) &&
        awaitsRequoteConsent(row) &&
        row.quote_id === form.quote_id &&
        (row.user_action_required_by?.getTime() ?? 0) > Date.now()
      ) {
        await answerRequoteOnce(deps, row, row.sub, form.answer === 'yes');
        deps.logger.info(
          { transactionId: row.id, accept: form.answer === 'yes' },
          'requote answered on more_info',
        );
      }
      return c.redirect(back, 303);
    },
  );
  return app;
}

const requoteForm = z.object({
  id: text(64).default(''),
  quote_id: text(64).default(''),
  sig: text(64).default(''),
  answer: z.enum(['yes', 'no']),
  lang: text(35).optional(),
});

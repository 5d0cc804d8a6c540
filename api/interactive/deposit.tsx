import type { Context } from 'hono';
import type { AppConfig } from '../../config/index.js';
import { parseTypedAmount } from '../../core/i18n/amount.js';
import {
  DEFAULT_LANG,
  formatAmount,
  formatDateTime,
  formatMoney,
  formatPercent,
  type Lang,
  negotiateLang,
  resolveLang,
} from '../../core/i18n/index.js';
import { pageText } from '../../core/i18n/pages.js';
import { sep24Text } from '../../core/i18n/sep24.js';
import { depositWorkflowId } from '../../core/ids.js';
import { findSession, type InteractiveSession, redeemStartToken } from '../../core/interactive-tokens.js';
import { kycRequirement } from '../../core/policies/kyc-tiers.js';
import { currencyOf } from '../../core/quotes/transfer.js';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import { customerOfTransaction, customerStatusForTier, findCustomer } from '../../db/customers.js';
import type { TransactionRow } from '../../db/schema.js';
import { getTransaction, updateTransaction } from '../../db/transactions.js';
import { computeFee } from '../../stellar/fees.js';
import { canonicalAmount, compareAmounts } from '../../stellar/money.js';
import { interactiveCompletedSignal } from '../../workflows/messages.js';
import type { ApiDeps } from '../deps.js';
import { createRouter } from '../openapi/hono.js';
import type { KycContext, SubmittedValue } from '../sep12/service.js';
import { callbackField } from '../sep24/validate.js';
import { handleKycSubmit, KycForm, prefillValues } from './kyc/index.js';
import { HostedPage, hostedPageHeaders, scriptJson } from './layout.js';
import { pageGet, pagePost } from './routes.js';
import { displayDecimals, isFinalView, stateTitle, TransactionState, transactionView } from './state.js';

/**
 * The hosted deposit pages (S24-16..20): the one-time token opens a session, then amount → KYC (only when the
 * customer is not yet accepted for that amount's tier) → bank transfer instructions with the reference. Each
 * step carries `transaction_id`, `session` and `lang`; nothing depends on cookies, so the pages work inside a
 * wallet's popup or iframe.
 */

interface Step {
  row: TransactionRow;
  session: InteractiveSession;
  lang: Lang;
}

const BASE = '/sep24/interactive/deposit';

function stepUrl(path: string, s: { transactionId: string; session: string; lang: string }): string {
  const q = new URLSearchParams({ transaction_id: s.transactionId, session: s.session, lang: s.lang });
  return `${BASE}${path}?${q}`;
}

export function interactiveDepositApp(deps: ApiDeps, kyc: KycContext) {
  const { config, db, temporal, logger } = deps;
  const app = createRouter();
  const op = config.sep24.deposit;
  const currency = config.bank.currency;

  app.use('*', hostedPageHeaders(config));

  const fail = (c: Context, lang: string, key: string, status: 401 | 403 | 404 | 409) => {
    const { t } = sep24Text(lang);
    return c.html(
      <HostedPage
        config={config}
        lang={lang}
        title={t('sep24.deposit.title', { asset: config.stellar.assetCode })}
      >
        <p class="alert" role="alert" id="page-error">
          {t(key)}
        </p>
      </HostedPage>,
      status,
    );
  };

  /** Where the deposit stands (state.tsx), polling while it still moves. */
  async function statePage(c: Context, row: TransactionRow, lang: Lang, sessionEnded = false) {
    const view = await transactionView(db, config, row);
    const wantsPostMessage =
      row.interactive_callback === 'postMessage' || row.on_change_callback === 'postMessage';
    const script =
      wantsPostMessage && row.status !== 'incomplete' ? postMessageScript(config, row) : undefined;
    return c.html(
      <HostedPage
        config={config}
        lang={lang}
        title={stateTitle(lang, row, view.view)}
        {...(isFinalView(view.view) ? {} : { poll: { transactionId: row.id, state: view.state } })}
        {...(script ? { script } : {})}
      >
        <TransactionState config={config} lang={lang} row={row} view={view} sessionEnded={sessionEnded} />
      </HostedPage>,
    );
  }

  async function loadStep(c: Context, params: Record<string, unknown>): Promise<Step | Response> {
    const lang = resolveLang(typeof params.lang === 'string' ? params.lang : undefined);
    const transactionId = typeof params.transaction_id === 'string' ? params.transaction_id : '';
    const sessionToken = typeof params.session === 'string' ? params.session : '';
    const session =
      transactionId && sessionToken
        ? await findSession(db, { transactionId, session: sessionToken })
        : undefined;
    const row = transactionId ? await getTransaction(db, transactionId) : undefined;
    // A finished flow closes its sessions: reopening it shows where the deposit stands, never "session expired".
    if (!session && row?.kind === 'deposit' && row.status !== 'incomplete')
      return statePage(c, row, lang, true);
    if (!session || row?.kind !== 'deposit') return fail(c, lang, 'sep24.session_invalid', 403);
    return { row, session, lang };
  }

  const ids = (s: Step) => ({ transactionId: s.row.id, session: s.session.session, lang: s.lang });

  // Entry: spend the one-time token (S24-18), remember the wallet's callbacks (S24-19), open the session.
  app.openapi(pageGet('/', 'Deposit flow entry (one-time token)'), async (c) => {
    const q = c.req.query();
    const transactionId = q.transaction_id ?? '';
    const stored = transactionId ? (await getTransaction(db, transactionId))?.lang : undefined;
    // A language the wallet chose with the deposit request counts as its `lang` (en is also the default).
    const chosen = q.lang ?? (stored && stored !== DEFAULT_LANG ? stored : undefined);
    const lang = negotiateLang({ lang: chosen, acceptLanguage: c.req.header('Accept-Language'), stored });
    const token = q.token ?? '';
    const session =
      transactionId && token
        ? await redeemStartToken(db, {
            transactionId,
            token,
            sessionTtlSeconds: config.sep24.sessionTtlSeconds,
          })
        : undefined;
    if (!session) return fail(c, lang, 'sep24.link_invalid', 403);
    // The wallet's `lang` on the URL wins, then the browser's Accept-Language, then the deposit request's.
    const pageLang = lang;
    const check = callbackField(config);
    const patch: Parameters<typeof updateTransaction>[2] = {};
    if (q.callback && check.safeParse(q.callback).success) patch.interactive_callback = q.callback;
    if (q.on_change_callback && check.safeParse(q.on_change_callback).success)
      patch.on_change_callback = q.on_change_callback;
    if (lang !== stored) patch.lang = lang;
    if (Object.keys(patch).length > 0) await updateTransaction(db, transactionId, patch);
    return c.redirect(stepUrl('/amount', { transactionId, session: session.session, lang: pageLang }), 303);
  });

  const AmountPage = (props: { step: Step; value: string; error?: string }) => {
    const { t } = sep24Text(props.step.lang);
    const lang = props.step.lang;
    const money = (v: string) => formatMoney(lang, v, currency, displayDecimals(config));
    return (
      <HostedPage
        config={config}
        lang={lang}
        title={t('sep24.deposit.title', { asset: config.stellar.assetCode })}
      >
        <form method="post" action={`${BASE}/amount`} class="card" novalidate>
          <input type="hidden" name="transaction_id" value={props.step.row.id} />
          <input type="hidden" name="session" value={props.step.session.session} />
          <input type="hidden" name="lang" value={lang} />
          <div class="field">
            <label for="amount">{t('sep24.deposit.amount_label', { currency })}</label>
            <input
              id="amount"
              name="amount"
              type="text"
              inputmode="decimal"
              autocomplete="off"
              value={props.value}
              aria-describedby={props.error ? 'amount-error amount-hint' : 'amount-hint'}
              aria-invalid={props.error ? 'true' : 'false'}
              aria-required="true"
              autofocus={props.error ? true : undefined}
            />
            <p class="hint" id="amount-hint">
              {t('sep24.deposit.amount_hint', { min: money(op.minAmount), max: money(op.maxAmount) })}{' '}
              <span id="fee-schedule">
                {t('sep24.deposit.fee_schedule', {
                  fixed: money(op.feeFixed),
                  percent: formatPercent(lang, op.feePercent),
                  minimum: money(op.feeMinimum),
                })}
              </span>
            </p>
            {props.error ? (
              <p class="error" id="amount-error" role="alert">
                {props.error}
              </p>
            ) : null}
          </div>
          <button type="submit">{t('common.submit')}</button>
        </form>
      </HostedPage>
    );
  };

  /** A deposit with a firm quote (S24-10): its amounts are fixed; the user confirms them and goes on. */
  const QuotePage = (props: { step: Step }) => {
    const { t } = sep24Text(props.step.lang);
    const { row, lang } = props.step;
    const money = (v: string | null, unit: string) =>
      formatMoney(lang, v ?? '0', unit, displayDecimals(config));
    const inCurrency = currencyOf(row.offchain_asset) ?? currency;
    const feeCurrency = currencyOf(row.fee_details?.asset) ?? row.asset_code;
    return (
      <HostedPage config={config} lang={lang} title={t('sep24.deposit.quote_title')}>
        <form method="post" action={`${BASE}/amount`} class="card" id="quote" novalidate>
          <input type="hidden" name="transaction_id" value={row.id} />
          <input type="hidden" name="session" value={props.step.session.session} />
          <input type="hidden" name="lang" value={lang} />
          <p>
            {t('sep24.deposit.quote_intro', {
              expires: row.user_action_required_by ? formatDateTime(lang, row.user_action_required_by) : '',
            })}
          </p>
          <dl class="summary">
            <dt>{t('sep24.deposit.you_send')}</dt>
            <dd id="amount-in">{money(row.amount_in, inCurrency)}</dd>
            <dt>{t('sep24.deposit.fee')}</dt>
            <dd id="amount-fee">{money(row.amount_fee, feeCurrency)}</dd>
            <dt>{t('sep24.deposit.you_receive')}</dt>
            <dd id="amount-out">{money(row.amount_out, row.asset_code)}</dd>
          </dl>
          <button type="submit">{t('common.submit')}</button>
        </form>
      </HostedPage>
    );
  };

  app.openapi(pageGet('/amount', 'Deposit amount form'), async (c) => {
    const step = await loadStep(c, c.req.query());
    if (step instanceof Response) return step;
    if (step.row.status !== 'incomplete') return c.redirect(stepUrl('/instructions', ids(step)), 303);
    if (step.row.quote_id) return c.html(<QuotePage step={step} />);
    const value = step.row.amount_expected ? canonicalAmount(step.row.amount_expected) : '';
    return c.html(<AmountPage step={step} value={value} />);
  });

  app.openapi(pagePost('/amount', 'Deposit amount submission'), async (c) => {
    const form = c.req.valid('form');
    const step = await loadStep(c, form);
    if (step instanceof Response) return step;
    if (step.row.status !== 'incomplete') return c.redirect(stepUrl('/instructions', ids(step)), 303);
    if (step.row.quote_id && step.row.amount_expected) {
      // The quote fixed the amounts: KYC is sized by what it buys.
      return afterAmount(c, step, canonicalAmount(step.row.amount_expected), step.row.amount_out ?? '0');
    }
    const { t } = sep24Text(step.lang);
    const typed = typeof form.amount === 'string' ? form.amount : '';
    const read = parseTypedAmount(step.lang, typed);
    const money = (v: string) => formatMoney(step.lang, v, currency, displayDecimals(config));
    if (!read.ok || compareAmounts(read.amount, '0') <= 0) {
      const error =
        !read.ok && read.reason === 'ambiguous'
          ? pageText(step.lang).t('amount.ambiguous', {
              typed: typed.trim(),
              first: read.readings[0],
              second: read.readings[1],
            })
          : t('sep24.deposit.amount_invalid', {
              example: formatAmount(step.lang, '1500.5', { minimumFractionDigits: 2 }),
            });
      return c.html(<AmountPage step={step} value={typed} error={error} />, 422);
    }
    const amount = read.amount;
    if (compareAmounts(amount, op.minAmount) < 0 || compareAmounts(amount, op.maxAmount) > 0) {
      return c.html(
        <AmountPage
          step={step}
          value={typed}
          error={t('sep24.deposit.amount_range', { min: money(op.minAmount), max: money(op.maxAmount) })}
        />,
        422,
      );
    }
    await updateTransaction(db, step.row.id, { amount_expected: amount });
    return afterAmount(c, step, amount, amount);
  });

  /** KYC for the tier of `sizedBy` (the Stellar amount): accepted goes on, rejected ends, else the form. */
  async function afterAmount(c: Context, step: Step, amount: string, sizedBy: string) {
    const tier = kycRequirement(config, { amount: sizedBy }).tier;
    const status = await customerStatusForTier(db, customerOfTransaction(step.row), tier);
    if (status.status === 'ACCEPTED') return finish(c, step, amount);
    if (status.status === 'REJECTED') {
      // The workflow sees the same verdict and ends the deposit in `error` now, not at expiry.
      await signalCompleted(step, amount);
      const reason = (await findCustomer(db, customerOfTransaction(step.row)))?.message;
      const view = {
        view: 'kyc_rejected',
        reason: reason ?? null,
        state: 'incomplete:kyc_rejected',
      } as const;
      const title = stateTitle(step.lang, step.row, 'kyc_rejected');
      return c.html(
        <HostedPage config={config} lang={step.lang} title={title}>
          <TransactionState config={config} lang={step.lang} row={step.row} view={view} />
        </HostedPage>,
        403,
      );
    }
    return c.redirect(stepUrl('/kyc', ids(step)), 303);
  }

  const kycPage = (
    step: Step,
    amount: string,
    values: Record<string, string>,
    filesOnRecord: string[],
    errors?: Record<string, string>,
    prefilled = false,
  ) => {
    const { t } = sep24Text(step.lang);
    return (
      <HostedPage config={config} lang={step.lang} title={t('kyc.page.title')}>
        <p>{t('sep24.deposit.kyc_intro')}</p>
        <KycForm
          lang={step.lang}
          tier={kycRequirement(config, { amount }).tier}
          values={values}
          {...(errors ? { errors } : {})}
          action={`${BASE}/kyc`}
          hidden={{ transaction_id: step.row.id, session: step.session.session }}
          filesOnRecord={filesOnRecord}
          tier1MaxAmount={config.kyc.tier1MaxAmount}
          prefilled={prefilled}
          maxUploadBytes={config.kyc.uploadMaxBytes}
        />
      </HostedPage>
    );
  };

  app.openapi(pageGet('/kyc', 'Deposit KYC form'), async (c) => {
    const step = await loadStep(c, c.req.query());
    if (step instanceof Response) return step;
    if (step.row.status !== 'incomplete' || !step.row.amount_expected) {
      return c.redirect(
        stepUrl(step.row.status === 'incomplete' ? '/amount' : '/instructions', ids(step)),
        303,
      );
    }
    const key = customerOfTransaction(step.row);
    const passedIn = step.session.prefill ?? {};
    const { values, filesOnRecord, rejected } = await prefillValues(kyc, key, passedIn, step.lang);
    return c.html(
      kycPage(
        step,
        canonicalAmount(step.row.amount_expected),
        values,
        filesOnRecord,
        // Fields the provider sent back (NEEDS_INFO) are marked so the user knows what to fix.
        Object.keys(rejected).length > 0 ? rejected : undefined,
        Object.keys(passedIn).length > 0,
      ),
    );
  });

  app.openapi(pagePost('/kyc', 'Deposit KYC submission (multipart with documents)'), async (c) => {
    const form = c.req.valid('form') as Record<string, SubmittedValue>;
    const step = await loadStep(c, form);
    if (step instanceof Response) return step;
    // While the workflow waits for the verdict, the provider may send fields back (NEEDS_INFO): the user
    // corrects them here and the same wait goes on (the KYC workflow signals the verdict).
    const correcting =
      step.row.status !== 'incomplete' &&
      (await transactionView(db, config, step.row)).view === 'kyc_needs_info';
    if ((step.row.status !== 'incomplete' && !correcting) || !step.row.amount_expected) {
      return c.redirect(stepUrl('/instructions', ids(step)), 303);
    }
    const amount = canonicalAmount(step.row.amount_expected);
    const key = customerOfTransaction(step.row);
    const tier = kycRequirement(config, { amount }).tier;
    const result = await handleKycSubmit(kyc, { key, lang: step.lang, tier, form });
    if (!result.ok) {
      const { filesOnRecord } = await prefillValues(kyc, key, {}, step.lang);
      if (correcting) return correctionPage(c, step, result.values, filesOnRecord, result.errors, 422);
      return c.html(kycPage(step, amount, result.values, filesOnRecord, result.errors), 422);
    }
    if (correcting) return c.redirect(stepUrl('/instructions', ids(step)), 303);
    // ACCEPTED or still PROCESSING: either way the workflow takes it from here (it waits for the verdict).
    return finish(c, step, amount);
  });

  /** Tells the workflow the user is done (leaves `incomplete`), then shows the instructions. */
  async function signalCompleted(step: Step, amount: string) {
    await temporal.workflow
      .getHandle(depositWorkflowId(step.row.id))
      .signal(interactiveCompletedSignal, { amount, lang: step.lang });
    logger.info({ transactionId: step.row.id }, 'interactive deposit completed');
  }

  async function finish(c: Context, step: Step, amount: string) {
    await signalCompleted(step, amount);
    // Give the workflow a moment to assign the reference, so the user usually sees it at once.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const row = await getTransaction(db, step.row.id);
      if (row && row.status !== 'incomplete') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return c.redirect(stepUrl('/instructions', ids(step)), 303);
  }

  /** The KYC form again, the fields the provider sent back marked, with its reason (NEEDS_INFO). */
  async function correctionPage(
    c: Context,
    step: Step,
    values: Record<string, string>,
    filesOnRecord: string[],
    errors: Record<string, string>,
    status: 200 | 422 = 200,
  ) {
    const view = await transactionView(db, config, step.row);
    const amount = canonicalAmount(step.row.amount_expected ?? '0');
    return c.html(
      <HostedPage config={config} lang={step.lang} title={stateTitle(step.lang, step.row, 'kyc_needs_info')}>
        <TransactionState config={config} lang={step.lang} row={step.row} view={view}>
          <KycForm
            lang={step.lang}
            tier={kycRequirement(config, { amount }).tier}
            values={values}
            errors={errors}
            action={`${BASE}/kyc`}
            hidden={{ transaction_id: step.row.id, session: step.session.session }}
            filesOnRecord={filesOnRecord}
            tier1MaxAmount={config.kyc.tier1MaxAmount}
            maxUploadBytes={config.kyc.uploadMaxBytes}
          />
        </TransactionState>
      </HostedPage>,
      status,
    );
  }

  app.openapi(pageGet('/instructions', 'Bank transfer instructions'), async (c) => {
    const step = await loadStep(c, c.req.query());
    if (step instanceof Response) return step;
    const { row, lang } = step;
    const { t } = sep24Text(lang);
    const money = (v: string, unit: string) => formatMoney(lang, v, unit, displayDecimals(config));
    const title = t('sep24.deposit.instructions_title');
    const wantsPostMessage =
      row.interactive_callback === 'postMessage' || row.on_change_callback === 'postMessage';
    const script =
      wantsPostMessage && row.status !== 'incomplete' ? postMessageScript(config, row) : undefined;
    const view = await transactionView(db, config, row);
    const poll = { transactionId: row.id, state: view.state };

    if (row.status === 'incomplete') {
      return c.html(
        <HostedPage config={config} lang={lang} title={title} poll={poll}>
          <p class="notice" id="waiting" role="status">
            {t('sep24.deposit.waiting')}
          </p>
        </HostedPage>,
      );
    }
    if (view.view === 'kyc_needs_info') {
      const key = customerOfTransaction(row);
      const { values, filesOnRecord, rejected } = await prefillValues(kyc, key, {}, lang);
      return correctionPage(c, step, values, filesOnRecord, rejected);
    }
    if (row.status !== 'pending_user_transfer_start' || !row.bank_reference) return statePage(c, row, lang);
    // A conversion shows the quote's amounts in their own currencies; a 1:1 deposit its fee schedule.
    const inCurrency = currencyOf(row.offchain_asset) ?? currency;
    const feeCurrency = row.fee_details ? (currencyOf(row.fee_details.asset) ?? row.asset_code) : currency;
    const quote =
      row.offchain_asset && row.amount_in && row.amount_out
        ? { amountIn: row.amount_in, amountFee: row.amount_fee ?? '0', amountOut: row.amount_out }
        : computeFee(canonicalAmount(row.amount_in ?? row.amount_expected ?? '0'), op);
    const sandboxBank =
      config.profile === 'sandbox'
        ? `${config.bank.apiUrl}/?${new URLSearchParams({ reference: row.bank_reference, amount: canonicalAmount(quote.amountIn), currency: inCurrency })}`
        : undefined;
    return c.html(
      <HostedPage config={config} lang={lang} title={title} poll={poll} {...(script ? { script } : {})}>
        <div class="card" id="instructions" data-status={row.status}>
          <p>{t('sep24.deposit.instructions_intro')}</p>
          <dl class="summary">
            <dt>{t('sep24.deposit.reference')}</dt>
            <dd class="reference" id="bank-reference">
              {row.bank_reference}
            </dd>
            <dt>{t('sep24.deposit.you_send')}</dt>
            <dd id="amount-in">{money(quote.amountIn, inCurrency)}</dd>
            <dt>{t('sep24.deposit.fee')}</dt>
            <dd id="amount-fee">{money(quote.amountFee, feeCurrency)}</dd>
            <dt>{t('sep24.deposit.you_receive')}</dt>
            <dd id="amount-out">{money(quote.amountOut, row.asset_code)}</dd>
            {bankAccountLabel(config) ? (
              <>
                <dt>{t('sep24.deposit.bank_account')}</dt>
                <dd id="bank-account">{bankAccountLabel(config)}</dd>
              </>
            ) : null}
            <dt>{t('sep24.deposit.to_account')}</dt>
            <dd id="to-account">{row.stellar_account}</dd>
            {row.user_action_required_by ? (
              <>
                <dt>{t('sep24.deposit.expires')}</dt>
                <dd id="expires">{formatDateTime(lang, row.user_action_required_by)}</dd>
              </>
            ) : null}
          </dl>
          <p class="hint">{t('sep24.deposit.close_hint')}</p>
          {sandboxBank ? (
            <a class="button" id="sandbox-bank" href={sandboxBank} target="_blank" rel="noopener">
              {t('sep24.deposit.sandbox_bank')}
            </a>
          ) : null}
        </div>
      </HostedPage>,
    );
  });

  return app;
}

/**
 * Where the user sends the money: ANCHOR_BANK_ACCOUNT (in the sandbox, the anchor's account at the test bank).
 * Unset, the page shows only the reference (nothing made up).
 */
function bankAccountLabel(config: AppConfig): string | undefined {
  return config.bank.anchorAccount;
}

/** S24-19 `postMessage`: the transaction JSON to the opener (popup) or the parent (iframe). */
function postMessageScript(config: AppConfig, row: TransactionRow): string {
  const body = scriptJson({ transaction: toSep24Transaction(config, row) });
  return `(function(){var m=${body};var t=window.opener||(window.parent!==window?window.parent:null);if(t){t.postMessage(m,'*');}})();`;
}

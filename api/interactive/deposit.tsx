import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppConfig } from '../../config/index.js';
import { formatAmount, formatDateTime, type Lang, resolveLang } from '../../core/i18n/index.js';
import { sep24Text } from '../../core/i18n/sep24.js';
import { depositWorkflowId } from '../../core/ids.js';
import { findSession, type InteractiveSession, redeemStartToken } from '../../core/interactive-tokens.js';
import { kycRequirement } from '../../core/policies/kyc-tiers.js';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import { customerStatusForTier } from '../../db/customers.js';
import type { TransactionRow } from '../../db/schema.js';
import { getTransaction, updateTransaction } from '../../db/transactions.js';
import { computeFee } from '../../stellar/fees.js';
import { canonicalAmount, compareAmounts, readTypedAmount } from '../../stellar/money.js';
import { interactiveCompletedSignal } from '../../workflows/messages.js';
import type { ApiDeps } from '../deps.js';
import type { KycContext, SubmittedValue } from '../sep12/service.js';
import { callbackField } from '../sep24/validate.js';
import { handleKycSubmit, KycForm, prefillValues } from './kyc/index.js';
import { HostedPage, scriptJson, setHostedPageHeaders } from './layout.js';

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
  const app = new Hono();
  const op = config.sep24.deposit;
  const currency = config.bank.currency;

  app.use('*', async (c, next) => {
    await next();
    setHostedPageHeaders(c, config);
  });

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

  async function loadStep(c: Context, params: Record<string, unknown>): Promise<Step | Response> {
    const lang = resolveLang(typeof params.lang === 'string' ? params.lang : undefined);
    const transactionId = typeof params.transaction_id === 'string' ? params.transaction_id : '';
    const sessionToken = typeof params.session === 'string' ? params.session : '';
    const session =
      transactionId && sessionToken
        ? await findSession(db, { transactionId, session: sessionToken })
        : undefined;
    if (!session) return fail(c, lang, 'sep24.session_invalid', 403);
    const row = await getTransaction(db, transactionId);
    if (row?.kind !== 'deposit') return fail(c, lang, 'sep24.session_invalid', 403);
    return { row, session, lang };
  }

  const ids = (s: Step) => ({ transactionId: s.row.id, session: s.session.session, lang: s.lang });

  // Entry: spend the one-time token (S24-18), remember the wallet's callbacks (S24-19), open the session.
  app.get('/', async (c) => {
    const q = c.req.query();
    const lang = resolveLang(q.lang);
    const transactionId = q.transaction_id ?? '';
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
    // The wallet's `lang` on the URL wins; otherwise the one sent with the deposit request.
    const pageLang = q.lang ? lang : resolveLang((await getTransaction(db, transactionId))?.lang);
    const check = callbackField(config);
    const patch: Parameters<typeof updateTransaction>[2] = {};
    if (q.callback && check.safeParse(q.callback).success) patch.interactive_callback = q.callback;
    if (q.on_change_callback && check.safeParse(q.on_change_callback).success)
      patch.on_change_callback = q.on_change_callback;
    if (q.lang) patch.lang = lang;
    if (Object.keys(patch).length > 0) await updateTransaction(db, transactionId, patch);
    return c.redirect(stepUrl('/amount', { transactionId, session: session.session, lang: pageLang }), 303);
  });

  const AmountPage = (props: { step: Step; value: string; error?: string }) => {
    const { t } = sep24Text(props.step.lang);
    const lang = props.step.lang;
    const money = (v: string) => formatAmount(lang, v, { minimumFractionDigits: 2 });
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
            />
            <p class="hint" id="amount-hint">
              {t('sep24.deposit.amount_hint', { min: money(op.minAmount), max: money(op.maxAmount) })}{' '}
              <span id="fee-schedule">
                {t('sep24.deposit.fee_schedule', {
                  fixed: money(op.feeFixed),
                  percent: formatAmount(lang, op.feePercent),
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

  app.get('/amount', async (c) => {
    const step = await loadStep(c, c.req.query());
    if (step instanceof Response) return step;
    if (step.row.status !== 'incomplete') return c.redirect(stepUrl('/instructions', ids(step)), 303);
    const value = step.row.amount_expected ? canonicalAmount(step.row.amount_expected) : '';
    return c.html(<AmountPage step={step} value={value} />);
  });

  app.post('/amount', async (c) => {
    const form = await c.req.parseBody();
    const step = await loadStep(c, form);
    if (step instanceof Response) return step;
    if (step.row.status !== 'incomplete') return c.redirect(stepUrl('/instructions', ids(step)), 303);
    const { t } = sep24Text(step.lang);
    const typed = typeof form.amount === 'string' ? form.amount : '';
    const amount = readTypedAmount(typed);
    const money = (v: string) => formatAmount(step.lang, v, { minimumFractionDigits: 2 });
    if (!amount || compareAmounts(amount, '0') <= 0) {
      return c.html(
        <AmountPage
          step={step}
          value={typed}
          error={t('sep24.deposit.amount_invalid', { example: money('100.5') })}
        />,
        422,
      );
    }
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
    const tier = kycRequirement(config, { amount }).tier;
    const status = await customerStatusForTier(
      db,
      { account: step.row.sub_account, memo: step.row.sub_memo },
      tier,
    );
    if (status.status === 'ACCEPTED') return finish(c, step, amount);
    if (status.status === 'REJECTED') {
      // The workflow sees the same verdict and ends the deposit in `error` now, not at expiry.
      await signalCompleted(step, amount);
      return c.html(
        <HostedPage
          config={config}
          lang={step.lang}
          title={t('sep24.deposit.title', { asset: config.stellar.assetCode })}
        >
          <p class="alert" role="alert" id="kyc-rejected">
            {t('sep24.deposit.kyc_rejected')}
          </p>
        </HostedPage>,
        403,
      );
    }
    return c.redirect(stepUrl('/kyc', ids(step)), 303);
  });

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

  app.get('/kyc', async (c) => {
    const step = await loadStep(c, c.req.query());
    if (step instanceof Response) return step;
    if (step.row.status !== 'incomplete' || !step.row.amount_expected) {
      return c.redirect(
        stepUrl(step.row.status === 'incomplete' ? '/amount' : '/instructions', ids(step)),
        303,
      );
    }
    const key = { account: step.row.sub_account, memo: step.row.sub_memo };
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

  app.post('/kyc', async (c) => {
    const form = (await c.req.parseBody()) as Record<string, SubmittedValue>;
    const step = await loadStep(c, form);
    if (step instanceof Response) return step;
    if (step.row.status !== 'incomplete' || !step.row.amount_expected) {
      return c.redirect(stepUrl('/instructions', ids(step)), 303);
    }
    const amount = canonicalAmount(step.row.amount_expected);
    const key = { account: step.row.sub_account, memo: step.row.sub_memo };
    const tier = kycRequirement(config, { amount }).tier;
    const result = await handleKycSubmit(kyc, { key, lang: step.lang, tier, form });
    if (!result.ok) {
      const { filesOnRecord } = await prefillValues(kyc, key, {}, step.lang);
      return c.html(kycPage(step, amount, result.values, filesOnRecord, result.errors), 422);
    }
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

  app.get('/instructions', async (c) => {
    const step = await loadStep(c, c.req.query());
    if (step instanceof Response) return step;
    const { row, lang } = step;
    const { t } = sep24Text(lang);
    const money = (v: string) => formatAmount(lang, v, { minimumFractionDigits: 2 });
    const title = t('sep24.deposit.instructions_title');
    const wantsPostMessage =
      row.interactive_callback === 'postMessage' || row.on_change_callback === 'postMessage';
    const script =
      wantsPostMessage && row.status !== 'incomplete' ? postMessageScript(config, row) : undefined;

    if (row.status === 'incomplete') {
      return c.html(
        <HostedPage config={config} lang={lang} title={title} refreshSeconds={2}>
          <p class="notice" id="waiting" role="status">
            {t('sep24.deposit.waiting')}
          </p>
        </HostedPage>,
      );
    }
    if (row.status === 'pending_anchor' && row.kyc_verified === false) {
      return c.html(
        <HostedPage
          config={config}
          lang={lang}
          title={t('kyc.page.title')}
          refreshSeconds={5}
          {...(script ? { script } : {})}
        >
          <p class="notice" id="kyc-processing" role="status">
            {t('sep24.deposit.kyc_processing')}
          </p>
        </HostedPage>,
      );
    }
    if (row.status !== 'pending_user_transfer_start' || !row.bank_reference) {
      const tx = toSep24Transaction(config, row);
      return c.html(
        <HostedPage
          config={config}
          lang={lang}
          title={t('sep24.deposit.title', { asset: row.asset_code })}
          {...(script ? { script } : {})}
        >
          <p class="notice" id="status" data-status={row.status} role="status">
            {t(`sep24.status.${row.status}`)}
          </p>
          <a class="button" href={`${tx.more_info_url}&lang=${lang}`}>
            {t('sep24.more_info.title', { id: '' }).trim()}
          </a>
        </HostedPage>,
      );
    }
    const quote = computeFee(canonicalAmount(row.amount_in ?? row.amount_expected ?? '0'), op);
    const sandboxBank =
      config.profile === 'sandbox'
        ? `${config.bank.apiUrl}/?${new URLSearchParams({ reference: row.bank_reference, amount: quote.amountIn })}`
        : undefined;
    return c.html(
      <HostedPage config={config} lang={lang} title={title} {...(script ? { script } : {})}>
        <div class="card" id="instructions" data-status={row.status}>
          <p>{t('sep24.deposit.instructions_intro')}</p>
          <dl class="summary">
            <dt>{t('sep24.deposit.reference')}</dt>
            <dd class="reference" id="bank-reference">
              {row.bank_reference}
            </dd>
            <dt>{t('sep24.deposit.you_send')}</dt>
            <dd id="amount-in">
              {money(quote.amountIn)} {currency}
            </dd>
            <dt>{t('sep24.deposit.fee')}</dt>
            <dd id="amount-fee">
              {money(quote.amountFee)} {currency}
            </dd>
            <dt>{t('sep24.deposit.you_receive')}</dt>
            <dd id="amount-out">
              {money(quote.amountOut)} {row.asset_code}
            </dd>
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

import type { z } from '@hono/zod-openapi';
import { StrKey } from '@stellar/stellar-sdk';
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { maskAccount } from '../../core/bank/mask.js';
import { anchoredBalance, loadAccount } from '../../core/horizon.js';
import { parseTypedAmount } from '../../core/i18n/amount.js';
import {
  DEFAULT_LANG,
  formatAmount,
  formatMoney,
  formatPercent,
  negotiateLang,
  resolveLang,
  type Translate,
} from '../../core/i18n/index.js';
import { pageText } from '../../core/i18n/pages.js';
import { withdrawText } from '../../core/i18n/withdraw.js';
import { withdrawalWorkflowId } from '../../core/ids.js';
import { findSession, redeemStartToken } from '../../core/interactive-tokens.js';
import { kycRequirement } from '../../core/policies/kyc-tiers.js';
import {
  type BankDestination,
  checkAccountLimits,
  withdrawalPolicyFromConfig,
} from '../../core/policies/withdrawal.js';
import { currencyOf } from '../../core/quotes/transfer.js';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import { customerOfTransaction, customerStatusForTier, findCustomer } from '../../db/customers.js';
import type { TransactionRow } from '../../db/schema.js';
import { getTransaction, updateTransaction } from '../../db/transactions.js';
import { maskedWithdrawalDestination, saveWithdrawalDestination } from '../../db/withdrawals.js';
import { encryptAtRest } from '../../stellar/crypto.js';
import { computeFee } from '../../stellar/fees.js';
import { canonicalAmount, compareAmounts } from '../../stellar/money.js';
import { baseAccountId } from '../../stellar/muxed.js';
import { interactiveCompletedSignal } from '../../workflows/messages.js';
import type { ApiDeps } from '../deps.js';
import { createRouter } from '../openapi/hono.js';
import { createKycContext } from '../sep12/index.js';
import type { KycContext, SubmittedValue } from '../sep12/service.js';
import { callbackField } from '../sep24/validate.js';
import { handleKycSubmit, KycForm, prefillValues } from './kyc/index.js';
import { HostedPage, hostedPageHeaders, scriptJson } from './layout.js';
import { type pageForm, pageGet, pagePost, withdrawForm } from './routes.js';
import { displayDecimals, isFinalView, stateTitle, TransactionState, transactionView } from './state.js';

/**
 * The hosted withdrawal pages (SEP-24 interactive flow, S24-18..20): amount (limits, fee, and a clear refusal
 * when it is above the user's balance read from Horizon at that moment), the bank account (validated, then
 * stored AES-256-GCM encrypted), a confirmation, then a "return to your wallet" page, all in the one page shell
 * (layout.tsx); English, Spanish and Brazilian Portuguese; one column on a 360 px phone, two on a desktop. The URL token is spent once and opens a session whose token
 * travels in the forms (works in popups and third-party iframes where cookies are blocked).
 */

const messages = withdrawText;

// --- validation ----------------------------------------------------------------------------------------------

/** ISO 13616 IBAN check: country, check digits and the mod-97 rule. */
export function isValidIban(input: string): boolean {
  const iban = input.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

export function validateDestination(
  t: Translate,
  raw: { holder: string; account: string; routing: string },
): { destination?: BankDestination; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const name = raw.holder.trim().replace(/\s+/g, ' ');
  if (name.length < 2 || name.length > 100 || !/^[\p{L}][\p{L}\p{M} .'-]*$/u.test(name))
    errors.holder = t('wd.error.holder');
  const account = raw.account.replace(/[\s-]+/g, '').toUpperCase();
  const iban = /^[A-Z]{2}/.test(account);
  if (iban ? !isValidIban(account) : !/^\d{6,20}$/.test(account)) errors.account = t('wd.error.account');
  const routing = raw.routing.replace(/\s+/g, '').toUpperCase();
  if (routing && !/^(\d{9}|[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?)$/.test(routing))
    errors.routing = t('wd.error.routing');
  if (Object.keys(errors).length > 0) return { errors };
  return { destination: { name, account, ...(routing ? { routing } : {}) }, errors };
}

/** The Stellar account's balance of the asset right now; null when the account doesn't exist on the ledger. */
async function readBalance(deps: ApiDeps, account: string): Promise<string | null> {
  const acct = await loadAccount(deps.config, baseAccountId(account), deps.fetch);
  const line = acct ? anchoredBalance(deps.config, acct) : undefined;
  return line ? canonicalAmount(line.balance) : null;
}

// --- the app -----------------------------------------------------------------------------------------------

interface FormValues {
  amount: string;
  holder: string;
  account: string;
  routing: string;
}

/** The hidden fields that carry the page session from one step of the withdrawal to the next. */
function SessionFields(props: { transactionId: string; session: string }) {
  return (
    <>
      <input type="hidden" name="transaction_id" value={props.transactionId} />
      <input type="hidden" name="session" value={props.session} />
    </>
  );
}

/**
 * A labelled input of the withdrawal form. An error replaces `hint` and is linked to the input for screen
 * readers; `children` (more hints) always follow.
 */
function FormField(props: {
  name: keyof FormValues;
  label: string;
  value: string;
  error: string | undefined;
  autocomplete: string;
  inputmode?: 'decimal';
  required?: boolean;
  autofocus?: boolean;
  hint?: Child;
  children?: Child;
}) {
  const { name, error } = props;
  return (
    <div class="field">
      <label for={name}>{props.label}</label>
      <input
        id={name}
        name={name}
        inputmode={props.inputmode}
        autocomplete={props.autocomplete}
        required={props.required}
        autofocus={props.autofocus || undefined}
        value={props.value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${name}-error` : undefined}
      />
      {error ? (
        <p class="error" id={`${name}-error`}>
          {error}
        </p>
      ) : (
        props.hint
      )}
      {props.children}
    </div>
  );
}

export function withdrawPagesApp(deps: ApiDeps, opts: { kyc?: KycContext } = {}) {
  const { config, db, temporal, logger } = deps;
  const kycCtx = opts.kyc ?? createKycContext(deps);
  const policy = withdrawalPolicyFromConfig(config);
  const asset = config.stellar.assetCode;
  const app = createRouter();

  app.use('*', hostedPageHeaders(config));
  const money = (lang: string, v: string, unit: string) =>
    formatMoney(lang, v, unit, displayDecimals(config));

  const fail = (c: Context, lang: string, key: string, status: 400 | 401 | 403 | 409 | 503) => {
    const { t } = messages(lang);
    return c.html(
      <HostedPage config={config} lang={lang} title={t('wd.title', { asset })}>
        <p class="alert" role="alert" id="page-error">
          {t(key)}
        </p>
      </HostedPage>,
      status,
    );
  };

  /** Where the withdrawal stands (state.tsx), polling while it still moves; never "session ended" once paid. */
  async function statePage(c: Context, row: TransactionRow, sessionEnded: boolean, status: 200 | 409 = 200) {
    const lang = resolveLang(row.lang);
    const view = await transactionView(db, config, row);
    return c.html(
      <HostedPage
        config={config}
        lang={lang}
        title={stateTitle(lang, row, view.view)}
        {...(isFinalView(view.view) ? {} : { poll: { transactionId: row.id, state: view.state } })}
      >
        <TransactionState config={config} lang={lang} row={row} view={view} sessionEnded={sessionEnded} />
      </HostedPage>,
      status,
    );
  }

  /** The session's withdrawal, still editable; or the page that says where it stands. */
  type Opened =
    | { error: Response | Promise<Response> }
    | { row: TransactionRow; session: string; prefill: Record<string, string> };
  async function open(
    c: Context,
    transactionId: string | undefined,
    session: string | undefined,
  ): Promise<Opened> {
    const lang = negotiateLang({ acceptLanguage: c.req.header('Accept-Language') });
    if (!transactionId || !session) return { error: fail(c, lang, 'wd.error.session', 401) };
    const s = await findSession(db, { transactionId, session });
    const row = /^[0-9a-f-]{36}$/i.test(transactionId) ? await getTransaction(db, transactionId) : undefined;
    // Past `incomplete` nothing can be edited (409), but the page says where the withdrawal stands.
    if (row?.kind === 'withdrawal' && row.status !== 'incomplete')
      return { error: await statePage(c, row, !s, 409) };
    if (!s || !row || row.kind !== 'withdrawal')
      return { error: fail(c, row?.lang ?? lang, 'wd.error.session', 401) };
    return { row, session: s.session, prefill: s.prefill ?? {} };
  }

  // Entry: the URL from POST /transactions/withdraw/interactive. Spends the one-time token (S24-18) and keeps the
  // wallet's callback / on_change_callback parameters (S24-19).
  app.openapi(pageGet('/', 'Withdrawal flow entry (one-time token)'), async (c) => {
    const transactionId = c.req.query('transaction_id');
    const token = c.req.query('token');
    const row = transactionId ? await getTransaction(db, transactionId) : undefined;
    // A language the wallet chose with the withdrawal request counts as its `lang` (en is also the default).
    const chosen = c.req.query('lang') ?? (row && row.lang !== DEFAULT_LANG ? row.lang : undefined);
    const lang = negotiateLang({
      lang: chosen,
      acceptLanguage: c.req.header('Accept-Language'),
      stored: row?.lang,
    });
    if (!transactionId || !token || !row || row.kind !== 'withdrawal')
      return fail(c, lang, 'wd.error.link', 403);
    const s = await redeemStartToken(db, {
      transactionId,
      token,
      sessionTtlSeconds: config.sep24.sessionTtlSeconds,
    });
    if (!s) return fail(c, lang, 'wd.error.link', 403);
    const cb = callbackField(config);
    const callback = c.req.query('callback');
    const onChange = c.req.query('on_change_callback');
    const patch: Parameters<typeof updateTransaction>[2] = {};
    if (callback && cb.safeParse(callback).success) patch.interactive_callback = callback;
    if (onChange && cb.safeParse(onChange).success) patch.on_change_callback = onChange;
    if (lang !== row.lang) patch.lang = lang;
    if (Object.keys(patch).length > 0) await updateTransaction(db, transactionId, patch);
    const next = new URLSearchParams({ transaction_id: transactionId, session: s.session });
    return c.redirect(`${config.api.publicUrl}/sep24/interactive/withdraw/form?${next}`, 303);
  });

  const renderForm = async (
    c: Context,
    row: TransactionRow,
    session: string,
    values: FormValues,
    errors: Record<string, string>,
    balance: string | null,
    status: 200 | 422 = 200,
  ) => {
    const { t } = messages(row.lang);
    const lang = row.lang;
    const fmt = (a: string) => money(lang, a, asset);
    const err = (k: string) => errors[k];
    // After a server-side error the first invalid field takes the focus; each message is shown once, at its field.
    const firstInvalid = (['amount', 'holder', 'account', 'routing'] as const).find((k) => errors[k]);
    return c.html(
      <HostedPage config={config} lang={lang} title={t('wd.title', { asset })}>
        <p>{t('wd.intro', { asset })}</p>
        {firstInvalid && (
          <p class="alert" role="alert" id="form-error">
            <a href={`#${firstInvalid}`}>{t('wd.error.form')}</a>
          </p>
        )}
        <form method="post" action={`${config.api.publicUrl}/sep24/interactive/withdraw/form`}>
          <SessionFields transactionId={row.id} session={session} />
          <FormField
            name="amount"
            label={t('wd.amount', { asset })}
            value={values.amount}
            error={err('amount')}
            inputmode="decimal"
            autocomplete="off"
            required
            autofocus={firstInvalid === 'amount'}
          >
            <p class="hint">
              {t('wd.amount_hint', {
                min: fmt(policy.minAmount),
                max: fmt(policy.maxAmount),
                balance: fmt(balance ?? '0'),
              })}
            </p>
            <p class="hint">
              {t('wd.fee_schedule', {
                fixed: fmt(policy.feeFixed),
                percent: formatPercent(lang, policy.feePercent),
                minimum: fmt(policy.feeMinimum),
              })}
            </p>
          </FormField>
          <h2>{t('wd.bank_heading')}</h2>
          <div class="grid">
            <FormField
              name="holder"
              label={t('wd.holder')}
              value={values.holder}
              error={err('holder')}
              autocomplete="name"
              required
              autofocus={firstInvalid === 'holder'}
            />
            <FormField
              name="account"
              label={t('wd.account')}
              value={values.account}
              error={err('account')}
              autocomplete="off"
              required
              autofocus={firstInvalid === 'account'}
              hint={<p class="hint">{t('wd.account_hint')}</p>}
            />
            <FormField
              name="routing"
              label={t('wd.routing')}
              value={values.routing}
              error={err('routing')}
              autocomplete="off"
              autofocus={firstInvalid === 'routing'}
            />
          </div>
          <button type="submit">{t('wd.continue')}</button>
        </form>
      </HostedPage>,
      status,
    );
  };

  app.openapi(pageGet('/form', 'Withdrawal form'), async (c) => {
    const opened = await open(c, c.req.query('transaction_id'), c.req.query('session'));
    if ('error' in opened) return opened.error;
    const { row, session, prefill } = opened;
    let balance: string | null = null;
    try {
      balance = await readBalance(deps, row.stellar_account);
    } catch {
      balance = null;
    }
    const holder = [prefill.first_name ?? prefill.given_name, prefill.last_name ?? prefill.family_name]
      .filter(Boolean)
      .join(' ');
    return renderForm(
      c,
      row,
      session,
      {
        amount: row.amount_expected ? canonicalAmount(row.amount_expected) : '',
        holder,
        account: prefill.bank_account_number ?? '',
        routing: prefill.bank_number ?? '',
      },
      {},
      balance,
    );
  });

  app.openapi(pagePost('/form', 'Withdrawal form submission', withdrawForm), async (c) => {
    const form = c.req.valid('form') as z.output<typeof withdrawForm>;
    const opened = await open(c, form.transaction_id, form.session);
    if ('error' in opened) return opened.error;
    const { row, session } = opened;
    const { t } = messages(row.lang);
    const fmt = (a: string) => money(row.lang, a, asset);
    const values: FormValues = {
      amount: form.amount.trim(),
      holder: form.holder,
      account: form.account,
      routing: form.routing,
    };
    const errors: Record<string, string> = {};
    // The amount as the language writes it ("25,50", "1.000,50"); ambiguous input is refused with both readings.
    // A firm quote fixed the amount (S24-15): the form cannot change it.
    const fixed = row.quote_id && row.amount_expected ? canonicalAmount(row.amount_expected) : null;
    const read: ReturnType<typeof parseTypedAmount> = fixed
      ? { ok: true, amount: fixed }
      : parseTypedAmount(row.lang, values.amount);
    if (fixed) values.amount = fixed;
    const typed = read.ok ? read.amount : undefined;
    let balance: string | null = null;
    let amount: string | undefined;
    if (!read.ok && read.reason === 'ambiguous')
      errors.amount = pageText(row.lang).t('amount.ambiguous', {
        typed: values.amount,
        first: read.readings[0],
        second: read.readings[1],
      });
    else if (!typed || compareAmounts(typed, '0') <= 0)
      errors.amount = t('wd.error.amount_invalid', {
        example: formatAmount(row.lang, '1250.5', { minimumFractionDigits: 2 }),
      });
    else if (compareAmounts(typed, policy.minAmount) < 0)
      errors.amount = t('wd.error.amount_min', { min: fmt(policy.minAmount) });
    else if (compareAmounts(typed, policy.maxAmount) > 0)
      errors.amount = t('wd.error.amount_max', { max: fmt(policy.maxAmount) });
    else amount = typed;
    try {
      balance = await readBalance(deps, row.stellar_account);
    } catch (err) {
      logger.warn(
        { transactionId: row.id, err: { message: (err as Error).message } },
        'balance check failed',
      );
      if (amount) errors.amount = t('wd.error.horizon');
      amount = undefined;
    }
    if (amount && !StrKey.isValidContract(row.stellar_account)) {
      if (balance === null) errors.amount = t('wd.error.no_account', { asset });
      else if (compareAmounts(amount, balance) > 0) {
        errors.amount = t('wd.error.balance', { amount: fmt(amount), balance: fmt(balance) });
      }
    }
    if (amount && !errors.amount) {
      const limit = await checkAccountLimits(db, config, {
        account: row.sub_account,
        assetCode: row.asset_code,
        amount,
        excludeId: row.id,
      });
      if (!limit.ok) {
        errors.amount = t('wd.error.limit', {
          period: t(`wd.period.${limit.limit}`),
          remaining: fmt(limit.remaining ?? '0'),
        });
      }
    }
    const bank = validateDestination(t, values);
    Object.assign(errors, bank.errors);
    if (Object.keys(errors).length > 0 || !amount || !bank.destination) {
      return renderForm(c, row, session, values, errors, balance, 422);
    }

    const destination = bank.destination;
    const masked = maskAccount(destination.account, 'last4');
    const ciphertext = encryptAtRest(config.withdraw.encryptionKey, JSON.stringify(destination), row.id);
    await updateTransaction(db, row.id, { amount_expected: amount });
    await saveWithdrawalDestination(db, row.id, { ciphertext, masked });
    return kycOrConfirm(c, row, session, amount, masked, opened.prefill);
  });

  /** KYC for the amount's tier first (the hosted KYC form), then the confirmation. */
  async function kycOrConfirm(
    c: Context,
    row: TransactionRow,
    session: string,
    amount: string,
    masked: string,
    prefill: Record<string, string> = {},
  ) {
    const key = customerOfTransaction(row);
    const { tier } = kycRequirement(config, { amount });
    const state = await customerStatusForTier(db, key, tier);
    if (state.status === 'REJECTED') {
      // The reason and the support contact, not a dead end (the workflow ends it in `error` at expiry).
      const reason = (await findCustomer(db, key))?.message ?? null;
      const lang = resolveLang(row.lang);
      const view = { view: 'kyc_rejected', reason, state: 'incomplete:kyc_rejected' } as const;
      return c.html(
        <HostedPage config={config} lang={lang} title={stateTitle(lang, row, 'kyc_rejected')}>
          <TransactionState config={config} lang={lang} row={row} view={view} />
        </HostedPage>,
        403,
      );
    }
    if (state.status === 'NEEDS_INFO') {
      // Fields the provider sent back are marked with what to fix.
      const { values, filesOnRecord, rejected } = await prefillValues(kycCtx, key, prefill, row.lang);
      return renderKyc(c, row, session, amount, tier, values, rejected, filesOnRecord);
    }
    return renderConfirm(c, row, session, amount, masked);
  }

  function renderKyc(
    c: Context,
    row: TransactionRow,
    session: string,
    amount: string,
    tier: number,
    values: Record<string, string>,
    errors: Record<string, string>,
    filesOnRecord: string[],
  ) {
    const { t } = messages(row.lang);
    return c.html(
      <HostedPage config={config} lang={row.lang} title={t('wd.kyc_heading')}>
        <p id="kyc-heading">{t('wd.kyc_intro', { amount: money(row.lang, amount, asset) })}</p>
        <KycForm
          lang={row.lang}
          tier={tier}
          values={values}
          errors={errors}
          action={`${config.api.publicUrl}/sep24/interactive/withdraw/kyc`}
          hidden={{ transaction_id: row.id, session }}
          filesOnRecord={filesOnRecord}
          tier1MaxAmount={config.kyc.tier1MaxAmount}
          maxUploadBytes={config.kyc.uploadMaxBytes}
        />
      </HostedPage>,
      Object.keys(errors).length > 0 ? 422 : 200,
    );
  }

  /** What the user sends, pays and receives: a quote's amounts (in its payout currency), else the fee schedule. */
  function amountsFor(row: TransactionRow, amount: string) {
    if (row.quote_id && row.amount_in && row.amount_out) {
      return {
        amountIn: row.amount_in,
        amountFee: row.amount_fee ?? '0',
        amountOut: row.amount_out,
        payoutCurrency: currencyOf(row.offchain_asset) ?? policy.payoutCurrency,
      };
    }
    return { ...computeFee(amount, policy), payoutCurrency: policy.payoutCurrency };
  }

  function renderConfirm(c: Context, row: TransactionRow, session: string, amount: string, masked: string) {
    const { t } = messages(row.lang);
    const quote = amountsFor(row, amount);
    return c.html(
      <HostedPage config={config} lang={row.lang} title={t('wd.confirm_heading')}>
        <dl class="summary">
          <dt>{t('wd.you_send')}</dt>
          <dd id="you-send">{money(row.lang, quote.amountIn, asset)}</dd>
          <dt>{t('wd.fee')}</dt>
          <dd id="fee">{money(row.lang, quote.amountFee, asset)}</dd>
          <dt>{t('wd.you_receive')}</dt>
          <dd id="you-receive">{money(row.lang, quote.amountOut, quote.payoutCurrency)}</dd>
          <dt>{t('wd.to_account')}</dt>
          <dd>{masked}</dd>
        </dl>
        <form method="post" action={`${config.api.publicUrl}/sep24/interactive/withdraw/confirm`}>
          <SessionFields transactionId={row.id} session={session} />
          <button type="submit" id="confirm">
            {t('wd.confirm')}
          </button>
        </form>
        <form method="get" action={`${config.api.publicUrl}/sep24/interactive/withdraw/form`}>
          <SessionFields transactionId={row.id} session={session} />
          <button type="submit" class="secondary">
            {t('wd.edit')}
          </button>
        </form>
      </HostedPage>,
    );
  }

  /** The masked bank account the form step stored; null before that step. */
  const maskedDestination = (transactionId: string) => maskedWithdrawalDestination(db, transactionId);

  // The hosted KYC form's POST (binary fields as multipart parts).
  app.openapi(pagePost('/kyc', 'Withdrawal KYC submission (multipart with documents)'), async (c) => {
    const valid = c.req.valid('form') as z.output<typeof pageForm>;
    const form = valid as Record<string, SubmittedValue>;
    const opened = await open(c, valid.transaction_id, valid.session);
    if ('error' in opened) return opened.error;
    const { row, session } = opened;
    const masked = await maskedDestination(row.id);
    if (!row.amount_expected || !masked) return fail(c, row.lang, 'wd.error.session', 409);
    const amount = canonicalAmount(row.amount_expected);
    const key = customerOfTransaction(row);
    const { tier } = kycRequirement(config, { amount });
    const result = await handleKycSubmit(kycCtx, { key, lang: row.lang, tier, form });
    if (!result.ok) {
      const { filesOnRecord } = await prefillValues(kycCtx, key, {});
      return renderKyc(c, row, session, amount, tier, result.values, result.errors, filesOnRecord);
    }
    return kycOrConfirm(c, row, session, amount, masked);
  });

  app.openapi(pagePost('/confirm', 'Withdrawal confirmation'), async (c) => {
    const form = c.req.valid('form') as z.output<typeof pageForm>;
    const opened = await open(c, form.transaction_id, form.session);
    if ('error' in opened) return opened.error;
    const { row } = opened;
    const masked = await maskedDestination(row.id);
    if (!row.amount_expected || !masked) return fail(c, row.lang, 'wd.error.session', 409);
    const amount = canonicalAmount(row.amount_expected);
    try {
      await temporal.workflow.getHandle(withdrawalWorkflowId(row.id)).signal(interactiveCompletedSignal, {
        amount,
        destinationMasked: masked,
        lang: row.lang,
      });
    } catch (err) {
      logger.error(
        { transactionId: row.id, err: { message: (err as Error).message } },
        'withdrawal signal failed',
      );
      return fail(c, row.lang, 'wd.error.state', 503);
    }
    // S24-20: when the window closes the status should have left `incomplete`; wait (bounded) for the workflow.
    const deadline = Date.now() + 5000;
    let current = row;
    while (current.status === 'incomplete' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      current = (await getTransaction(db, row.id)) ?? current;
    }
    const { t } = messages(row.lang);
    const quote = amountsFor(row, amount);
    const postMessage = row.interactive_callback === 'postMessage';
    const script = postMessage
      ? `(function(){var m=${scriptJson({ transaction: toSep24Transaction(config, current) })};var w=window.opener||window.parent;if(w&&w!==window)w.postMessage(m,'*');})();`
      : undefined;
    const view = await transactionView(db, config, current);
    return c.html(
      <HostedPage
        config={config}
        lang={row.lang}
        title={t('wd.done_heading')}
        poll={{ transactionId: row.id, state: view.state }}
        {...(script ? { script } : {})}
      >
        <p id="done">
          {t('wd.done_body', {
            amount: money(row.lang, amount, asset),
            receive: money(row.lang, quote.amountOut, quote.payoutCurrency),
            last4: masked.slice(-4),
          })}
        </p>
        <p class="hint">{t('wd.close')}</p>
      </HostedPage>,
    );
  });

  return app;
}

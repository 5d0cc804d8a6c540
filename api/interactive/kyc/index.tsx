import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { AppConfig } from '../../../config/index.js';
import {
  datePattern,
  formatAmount,
  formatByteSize,
  formatDate,
  type Lang,
  langFromAcceptLanguage,
  parseLocalDate,
  resolveLang,
  translator,
} from '../../../core/i18n/index.js';
import { kycRequirement } from '../../../core/policies/kyc-tiers.js';
import {
  type CustomerFieldRow,
  type CustomerKey,
  computeTierStatus,
  customerKeyOf,
  findCustomer,
  listFields,
} from '../../../db/customers.js';
import type { CustomerRow } from '../../../db/schema.js';
import { countryOptions, sep9Field, tierFields } from '../../../stellar/sep9.js';
import { createRouter } from '../../openapi/hono.js';
import { verifyToken } from '../../sep10/jwt.js';
import { type KycContext, type SubmittedValue, submitFields } from '../../sep12/service.js';
import { HostedPage, hostedPageHeaders } from '../layout.js';
import { pageGet, pagePost } from '../routes.js';

/**
 * The hosted KYC form (issue 6): fields generated from the tier, prefilled from SEP-9 values (editable),
 * errors per field in the user's language, dates in the language's format. The SEP-24 pages embed
 * `KycForm` / `renderKycForm` and call `handleKycSubmit`; `/kyc/interactive` serves it standalone.
 */
export interface KycFormProps {
  lang: Lang | string;
  tier: number;
  /** SEP-9 values to show (prefill or what the user typed); dates as `YYYY-MM-DD` or as typed. */
  values: Record<string, string>;
  /** Field name → message, already localized (from handleKycSubmit). */
  errors?: Record<string, string>;
  /** Where the form posts (multipart/form-data). */
  action: string;
  /** Extra hidden inputs (tokens, transaction id...). */
  hidden?: Record<string, string>;
  /** Binary fields already on record (the user may leave them empty). */
  filesOnRecord?: readonly string[];
  /** KYC_TIER1_MAX_AMOUNT, for the tier-2 explanation. */
  tier1MaxAmount?: string;
  /** Whether values came from the wallet (shows a "please check" note). */
  prefilled?: boolean;
  maxUploadBytes?: number;
}

const WIDE = new Set(['address', 'email_address', 'photo_id_front', 'photo_proof_residence']);

const fieldId = (name: string) => `kyc-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** Shows a stored ISO date in the language's format; anything else (what the user typed) as is. */
function displayValue(lang: string, name: string, value: string | undefined): string {
  if (!value) return '';
  return sep9Field(name)?.type === 'date' ? formatDate(lang, value) : value;
}

export const KycForm: FC<KycFormProps> = (props) => {
  const { t } = translator(props.lang);
  const lang = resolveLang(props.lang);
  const { required, optional } = tierFields(props.tier);
  const names = [...required, ...optional];
  const errors = props.errors ?? {};
  const hasErrors = Object.keys(errors).length > 0;
  // After a server-side refusal the browser puts the focus on the first field to fix (no script needed).
  const firstInvalid = names.find((n) => errors[n]);
  const maxSize = formatByteSize(lang, props.maxUploadBytes ?? 10 * 1024 * 1024);
  const countries = names.some((n) => sep9Field(n)?.format === 'country3') ? countryOptions(lang) : [];
  return (
    <form
      method="post"
      action={props.action}
      enctype="multipart/form-data"
      novalidate
      class="card"
      id="kyc-form"
    >
      {props.tier >= 2 && props.tier1MaxAmount ? (
        <p class="notice">
          {t('kyc.page.tier2_intro', {
            threshold: formatAmount(lang, props.tier1MaxAmount, { minimumFractionDigits: 2 }),
          })}
        </p>
      ) : null}
      {props.prefilled ? <p class="notice">{t('kyc.page.prefilled')}</p> : null}
      {hasErrors ? (
        <p class="alert" role="alert">
          {t('kyc.page.errors_title')}
        </p>
      ) : null}
      {Object.entries(props.hidden ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <input type="hidden" name="lang" value={lang} />
      <div class="grid">
        {names.map((name) => {
          const field = sep9Field(name)!;
          const id = fieldId(name);
          const error = errors[name];
          const isOptional = optional.includes(name);
          const describedBy = [error ? `${id}-error` : '', `${id}-hint`].filter(Boolean).join(' ');
          const common = {
            id,
            name,
            'aria-invalid': error ? 'true' : 'false',
            'aria-describedby': describedBy,
            ...(isOptional ? {} : { 'aria-required': 'true' }),
            ...(name === firstInvalid ? { autofocus: true } : {}),
          };
          const value = props.values[name];
          let control: ReturnType<FC>;
          let hint: string | undefined;
          if (field.type === 'binary') {
            control = <input type="file" accept="image/jpeg,image/png,application/pdf" {...common} />;
            hint = props.filesOnRecord?.includes(name)
              ? t('kyc.page.file_on_record')
              : t('kyc.page.file_hint', { max: maxSize });
          } else if (field.choices) {
            control = (
              <select {...common}>
                <option value="">{t('kyc.page.choose')}</option>
                {field.choices.map((choice) => (
                  <option value={choice} selected={value === choice}>
                    {t(`sep9.choice.${name}.${choice}`)}
                  </option>
                ))}
              </select>
            );
          } else if (field.format === 'country3') {
            control = (
              <select {...common} autocomplete="country">
                <option value="">{t('kyc.page.choose')}</option>
                {countries.map((c) => (
                  <option value={c.code} selected={value === c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            );
          } else if (name === 'address') {
            control = (
              <textarea {...common} rows={3} autocomplete="street-address">
                {value ?? ''}
              </textarea>
            );
          } else {
            const type = field.format === 'email' ? 'email' : field.format === 'phone' ? 'tel' : 'text';
            const autocomplete: Record<string, string> = {
              first_name: 'given-name',
              last_name: 'family-name',
              email_address: 'email',
              mobile_number: 'tel',
              birth_date: 'bday',
            };
            if (field.type === 'date') hint = t('kyc.page.date_hint', { pattern: datePattern(lang) });
            if (field.format === 'phone') hint = t('kyc.page.phone_hint');
            control = (
              <input
                type={type}
                value={displayValue(lang, name, value)}
                autocomplete={autocomplete[name] ?? 'off'}
                {...(field.type === 'date' ? { inputmode: 'numeric', placeholder: datePattern(lang) } : {})}
                {...common}
              />
            );
          }
          return (
            <div class={`field${WIDE.has(name) ? ' wide' : ''}`}>
              <label for={id}>
                {t(`sep9.field.${name}`)}
                {isOptional ? <span class="opt"> ({t('common.optional')})</span> : null}
              </label>
              {control}
              {hint ? (
                <p class="hint" id={`${id}-hint`}>
                  {hint}
                </p>
              ) : null}
              {error ? (
                <p class="error" id={`${id}-error`}>
                  {error}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
      <button type="submit">{t('common.submit')}</button>
    </form>
  );
};

/** The form as a JSX element, for pages that embed it. */
export function renderKycForm(props: KycFormProps) {
  return <KycForm {...props} />;
}

/** The standalone route's page: the one hosted-page shell (layout.tsx), as every SEP-24 page. */
export const KycPage: FC<{ config: AppConfig; lang: string; title: string; children?: unknown }> = (
  props,
) => (
  <HostedPage config={props.config} lang={props.lang} title={props.title}>
    {props.children as never}
  </HostedPage>
);

export type KycSubmitResult =
  | { ok: true; customer: CustomerRow; status: CustomerRow['status'] }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> };

/**
 * Handles a posted KYC form: dates typed in the language's format become `YYYY-MM-DD`, empty file inputs are
 * ignored, required fields left empty are reported, and the rest goes through the SEP-12 validation and
 * storage (the same rules as PUT /customer). On error, `values` is what to show again.
 */
export async function handleKycSubmit(
  ctx: KycContext,
  input: {
    key: CustomerKey;
    lang: Lang | string;
    tier: number;
    form: Record<string, SubmittedValue>;
    today?: string;
  },
): Promise<KycSubmitResult> {
  const lang = resolveLang(input.lang);
  const { t } = translator(lang);
  const { required, optional } = tierFields(input.tier);
  const existing = await findCustomer(ctx.db, input.key);
  const stored = existing ? await listFields(ctx.db, existing.id) : [];
  const storedNames = new Set(stored.filter((f) => f.status !== 'REJECTED').map((f) => f.name));
  const values: Record<string, string> = {};
  const submit: Record<string, SubmittedValue> = {};
  const errors: Record<string, string> = {};
  for (const name of [...required, ...optional]) {
    const raw = input.form[name];
    const field = sep9Field(name)!;
    const labelText = t(`sep9.field.${name}`);
    if (raw instanceof File && raw.size > 0) {
      submit[name] = raw;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (field.type !== 'binary') values[name] = text;
    if (text === '') {
      // A cleared text box is missing even if a value is on record (the form shows stored values); an empty
      // file input is fine when a document is already on record.
      const onRecord = field.type === 'binary' && storedNames.has(name);
      if (required.includes(name) && !onRecord) errors[name] = t('sep9.error.required', { label: labelText });
      continue;
    }
    if (field.type === 'date') {
      const iso = parseLocalDate(lang, text);
      if (!iso) {
        errors[name] = t('sep9.error.date_local', {
          label: labelText,
          pattern: datePattern(lang),
          example: formatDate(lang, '1990-12-31'),
        });
        continue;
      }
      submit[name] = iso;
      values[name] = iso;
      continue;
    }
    submit[name] = text;
  }
  const result = await submitFields(ctx, {
    key: input.key,
    values: submit,
    lang,
    tier: input.tier,
    ...(input.today ? { today: input.today } : {}),
  });
  if (!result.ok || Object.keys(errors).length > 0) {
    // Report every problem at once: the missing ones and the badly formatted ones. Nothing was stored if the
    // formats were bad; if only required fields were missing, the valid ones are kept.
    return { ok: false, errors: { ...(result.ok ? {} : result.errors), ...errors }, values };
  }
  return { ok: true, customer: result.customer, status: result.customer.status };
}

/** What to prefill: stored text values of the customer, overridden by SEP-9 values the wallet passed in. */
export async function prefillValues(
  ctx: KycContext,
  key: CustomerKey,
  passedIn: Record<string, string>,
  lang: Lang | string = 'en',
): Promise<{ values: Record<string, string>; filesOnRecord: string[]; rejected: Record<string, string> }> {
  const customer = await findCustomer(ctx.db, key);
  return prefillFrom(customer ? await listFields(ctx.db, customer.id) : [], passedIn, lang);
}

/** prefillValues() over fields already loaded. */
function prefillFrom(
  stored: readonly CustomerFieldRow[],
  passedIn: Record<string, string>,
  lang: Lang | string,
): { values: Record<string, string>; filesOnRecord: string[]; rejected: Record<string, string> } {
  const values: Record<string, string> = {};
  for (const f of stored) if (f.value !== null && f.status !== 'REJECTED') values[f.name] = f.value;
  for (const [k, v] of Object.entries(passedIn)) {
    const field = sep9Field(k);
    if (field && field.type !== 'binary' && v !== '') values[field.name] = v;
  }
  const filesOnRecord = stored.filter((f) => f.blob_key && f.status !== 'REJECTED').map((f) => f.name);
  // Fields the provider sent back (NEEDS_INFO): shown as errors so the user knows what to fix.
  const { t } = translator(lang);
  const rejected: Record<string, string> = {};
  for (const f of stored) {
    if (f.status === 'REJECTED')
      rejected[f.name] = t('kyc.page.field_rejected', { label: t(`sep9.field.${f.name}`) });
  }
  return { values, filesOnRecord, rejected };
}

function statusView(config: AppConfig, lang: Lang, status: CustomerRow['status']) {
  const { t } = translator(lang);
  return (
    <KycPage config={config} lang={lang} title={t('kyc.page.submitted_title')}>
      <p class="notice" id="kyc-status" data-status={status}>
        {t(`kyc.page.status.${status}`)}
      </p>
    </KycPage>
  );
}

/**
 * Standalone route (testing and direct links): `GET /kyc/interactive?token=<SEP-10 JWT>&amount=&lang=&<SEP-9
 * prefill>` and the form's POST. The SEP-24 flow uses its own one-time tokens and calls the exports above.
 */
export function interactiveKycApp(ctx: KycContext) {
  const app = createRouter();
  // The page carries a token and personal data: never cached, never leaked by Referer; inline CSS only.
  app.use('*', hostedPageHeaders(ctx.config));
  const identityFrom = async (token: string | undefined) => {
    if (!token) return undefined;
    try {
      return await verifyToken(ctx.config, token);
    } catch {
      return undefined;
    }
  };
  const langOf = (q: string | undefined, accept: string | undefined) =>
    q ? resolveLang(q) : langFromAcceptLanguage(accept);
  const tierOf = (amount: string | undefined) => {
    try {
      return kycRequirement(ctx.config, { amount }).tier;
    } catch {
      return 1;
    }
  };

  /** 401: the page's token is missing, expired or not a SEP-10 token. */
  const invalidToken = (c: Context, lang: string) => {
    const { t } = translator(lang);
    return c.html(
      <KycPage config={ctx.config} lang={lang} title={t('kyc.page.title')}>
        <p class="alert">{t('kyc.page.invalid_token')}</p>
      </KycPage>,
      401,
    );
  };

  app.openapi(pageGet('/', 'Hosted KYC page (HTML)', 'SEP-12'), async (c) => {
    const lang = langOf(c.req.query('lang'), c.req.header('Accept-Language'));
    const { t } = translator(lang);
    const token = c.req.query('token');
    const identity = await identityFrom(token);
    if (!identity) return invalidToken(c, lang);
    const amount = c.req.query('amount');
    const tier = tierOf(amount);
    const key = customerKeyOf(identity);
    const customer = await findCustomer(ctx.db, key);
    const stored = customer ? await listFields(ctx.db, customer.id) : [];
    const state = computeTierStatus(customer, stored, tier);
    if (state.status === 'ACCEPTED' || state.status === 'REJECTED')
      return c.html(statusView(ctx.config, lang, state.status));
    const passedIn = Object.fromEntries(Object.entries(c.req.query()).filter(([k]) => sep9Field(k)));
    const { values, filesOnRecord, rejected } = prefillFrom(stored, passedIn, lang);
    return c.html(
      <KycPage config={ctx.config} lang={lang} title={t('kyc.page.title')}>
        <p>{t('kyc.page.intro')}</p>
        <KycForm
          lang={lang}
          tier={tier}
          values={values}
          action={c.req.path}
          hidden={{ token: token!, ...(amount ? { amount } : {}) }}
          filesOnRecord={filesOnRecord}
          tier1MaxAmount={ctx.config.kyc.tier1MaxAmount}
          prefilled={Object.keys(passedIn).length > 0}
          errors={rejected}
          maxUploadBytes={ctx.config.kyc.uploadMaxBytes}
        />
      </KycPage>,
    );
  });

  app.openapi(pagePost('/', 'Hosted KYC form submission', undefined, 'SEP-12'), async (c) => {
    const form = c.req.valid('form') as Record<string, SubmittedValue>;
    const lang = langOf(
      typeof form.lang === 'string' ? form.lang : undefined,
      c.req.header('Accept-Language'),
    );
    const { t } = translator(lang);
    const token = typeof form.token === 'string' ? form.token : undefined;
    const identity = await identityFrom(token);
    if (!identity) return invalidToken(c, lang);
    const amount = typeof form.amount === 'string' && form.amount !== '' ? form.amount : undefined;
    const tier = tierOf(amount);
    const key = customerKeyOf(identity);
    const result = await handleKycSubmit(ctx, { key, lang, tier, form });
    if (result.ok) return c.html(statusView(ctx.config, lang, result.status));
    const { filesOnRecord } = await prefillValues(ctx, key, {});
    return c.html(
      <KycPage config={ctx.config} lang={lang} title={t('kyc.page.title')}>
        <KycForm
          lang={lang}
          tier={tier}
          values={result.values}
          errors={result.errors}
          action={c.req.path}
          hidden={{ token: token!, ...(amount ? { amount } : {}) }}
          filesOnRecord={filesOnRecord}
          tier1MaxAmount={ctx.config.kyc.tier1MaxAmount}
          maxUploadBytes={ctx.config.kyc.uploadMaxBytes}
        />
      </KycPage>,
      422,
    );
  });
  return app;
}

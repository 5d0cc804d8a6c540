import { StrKey } from '@stellar/stellar-sdk';
import { type Context, Hono } from 'hono';
import type { Child, FC } from 'hono/jsx';
import type { AppConfig } from '../../config/index.js';
import { maskAccount } from '../../core/bank/mask.js';
import { anchoredBalance, loadAccount } from '../../core/horizon.js';
import { extendCatalog, formatAmount, type Translate } from '../../core/i18n/index.js';
import { withdrawalWorkflowId } from '../../core/ids.js';
import { findSession, redeemStartToken } from '../../core/interactive-tokens.js';
import { kycRequirement } from '../../core/policies/kyc-tiers.js';
import {
  type BankDestination,
  checkAccountLimits,
  withdrawalPolicyFromConfig,
} from '../../core/policies/withdrawal.js';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import { customerStatusForTier } from '../../db/customers.js';
import type { TransactionRow } from '../../db/schema.js';
import { getTransaction, updateTransaction } from '../../db/transactions.js';
import { maskedWithdrawalDestination, saveWithdrawalDestination } from '../../db/withdrawals.js';
import { encryptAtRest } from '../../stellar/crypto.js';
import { computeFee } from '../../stellar/fees.js';
import { canonicalAmount, compareAmounts, readTypedAmount } from '../../stellar/money.js';
import { baseAccountId } from '../../stellar/muxed.js';
import { interactiveCompletedSignal } from '../../workflows/messages.js';
import type { ApiDeps } from '../deps.js';
import { documentation } from '../sep1/index.js';
import { createKycContext } from '../sep12/index.js';
import type { KycContext, SubmittedValue } from '../sep12/service.js';
import { callbackField } from '../sep24/validate.js';
import { setPageSecurityHeaders } from './headers.js';
import { handleKycSubmit, KYC_FORM_CSS, KycForm, prefillValues } from './kyc/index.js';

/**
 * The hosted withdrawal pages (SEP-24 interactive flow, S24-18..20): amount (limits, fee, and a clear refusal
 * when it is above the user's balance read from Horizon at that moment), the bank account (validated, then
 * stored AES-256-GCM encrypted), a confirmation, then a "return to your wallet" page. English and Spanish; one
 * column on a 360 px phone, two on a desktop. The URL token is spent once and opens a session whose token
 * travels in the forms (works in popups and third-party iframes where cookies are blocked).
 */

const messages = extendCatalog({
  en: {
    'wd.title': 'Withdraw {asset}',
    'wd.intro': 'Send {asset} from your Stellar wallet and receive the money in your bank account.',
    'wd.amount': 'Amount to withdraw ({asset})',
    'wd.amount_hint': 'Between {min} and {max} {asset}. Your balance: {balance} {asset}.',
    'wd.fee_schedule': 'Fee: {fixed} {asset} + {percent} % (at least {minimum} {asset}).',
    'wd.bank_heading': 'Your bank account',
    'wd.holder': 'Account holder name',
    'wd.account': 'IBAN or account number',
    'wd.account_hint': 'Letters and digits only; spaces are ignored.',
    'wd.routing': 'Routing number or BIC (if your bank needs one)',
    'wd.continue': 'Continue',
    'wd.confirm_heading': 'Check and confirm',
    'wd.you_send': 'You send',
    'wd.fee': 'Fee',
    'wd.you_receive': 'You receive',
    'wd.to_account': 'To account',
    'wd.confirm': 'Confirm withdrawal',
    'wd.edit': 'Change',
    'wd.done_heading': 'Almost done',
    'wd.done_body':
      'Return to your wallet: it will ask you to send {amount} {asset}. Once the payment arrives we pay {receive} to your bank account ending {last4}.',
    'wd.close': 'You can close this window.',
    'wd.support': 'Questions? Write to {email}.',
    'wd.error.link':
      'This link has expired or was already used. Start the withdrawal again from your wallet.',
    'wd.error.session': 'Your session has ended. Start the withdrawal again from your wallet.',
    'wd.error.state': 'This withdrawal can no longer be changed.',
    'wd.error.amount_invalid': 'Enter an amount such as 25 or 25.50 (at most 7 decimals).',
    'wd.error.amount_min': 'The minimum withdrawal is {min} {asset}.',
    'wd.error.amount_max': 'The maximum withdrawal is {max} {asset}.',
    'wd.error.balance':
      'Rejected: {amount} {asset} is more than your balance of {balance} {asset}. Enter at most {balance}.',
    'wd.error.no_account': 'Rejected: your Stellar account holds no {asset}. Add funds to your wallet first.',
    'wd.error.horizon': 'We could not check your balance right now. Please try again in a minute.',
    'wd.error.limit': 'This is above your {period} limit: you can withdraw at most {remaining} {asset} more.',
    'wd.period.daily': 'daily',
    'wd.period.monthly': 'monthly',
    'wd.error.holder': 'Enter the name exactly as it appears on the bank account.',
    'wd.error.account':
      'Enter a valid IBAN (e.g. ES91 2100 0418 4502 0005 1332) or a 6–20 digit account number.',
    'wd.error.routing': 'Enter a valid routing number (9 digits) or BIC (8 or 11 characters).',
    'wd.error.form': 'Please correct the fields marked below.',
    'wd.kyc_heading': 'Tell us who you are',
    'wd.kyc_intro':
      'We are required to know our customers before paying out {amount} {asset}. We ask only once.',
    'wd.error.kyc_rejected': 'We cannot process withdrawals for this account. Contact support for details.',
  },
  es: {
    'wd.title': 'Retirar {asset}',
    'wd.intro': 'Envía {asset} desde tu billetera Stellar y recibe el dinero en tu cuenta bancaria.',
    'wd.amount': 'Importe a retirar ({asset})',
    'wd.amount_hint': 'Entre {min} y {max} {asset}. Tu saldo: {balance} {asset}.',
    'wd.fee_schedule': 'Comisión: {fixed} {asset} + {percent} % (mínimo {minimum} {asset}).',
    'wd.bank_heading': 'Tu cuenta bancaria',
    'wd.holder': 'Nombre del titular',
    'wd.account': 'IBAN o número de cuenta',
    'wd.account_hint': 'Solo letras y números; los espacios se ignoran.',
    'wd.routing': 'Código de ruta o BIC (si tu banco lo pide)',
    'wd.continue': 'Continuar',
    'wd.confirm_heading': 'Revisa y confirma',
    'wd.you_send': 'Envías',
    'wd.fee': 'Comisión',
    'wd.you_receive': 'Recibes',
    'wd.to_account': 'A la cuenta',
    'wd.confirm': 'Confirmar retiro',
    'wd.edit': 'Cambiar',
    'wd.done_heading': 'Casi listo',
    'wd.done_body':
      'Vuelve a tu billetera: te pedirá enviar {amount} {asset}. Cuando llegue el pago, enviaremos {receive} a tu cuenta terminada en {last4}.',
    'wd.close': 'Puedes cerrar esta ventana.',
    'wd.support': '¿Dudas? Escríbenos a {email}.',
    'wd.error.link': 'Este enlace caducó o ya se usó. Vuelve a iniciar el retiro desde tu billetera.',
    'wd.error.session': 'Tu sesión terminó. Vuelve a iniciar el retiro desde tu billetera.',
    'wd.error.state': 'Este retiro ya no se puede modificar.',
    'wd.error.amount_invalid': 'Introduce un importe como 25 o 25,50 (máximo 7 decimales).',
    'wd.error.amount_min': 'El retiro mínimo es {min} {asset}.',
    'wd.error.amount_max': 'El retiro máximo es {max} {asset}.',
    'wd.error.balance':
      'Rechazado: {amount} {asset} supera tu saldo de {balance} {asset}. Introduce como máximo {balance}.',
    'wd.error.no_account':
      'Rechazado: tu cuenta Stellar no tiene {asset}. Añade fondos a tu billetera primero.',
    'wd.error.horizon': 'No pudimos comprobar tu saldo ahora. Inténtalo de nuevo en un minuto.',
    'wd.error.limit': 'Supera tu límite {period}: puedes retirar como máximo {remaining} {asset} más.',
    'wd.period.daily': 'diario',
    'wd.period.monthly': 'mensual',
    'wd.error.holder': 'Escribe el nombre tal como figura en la cuenta bancaria.',
    'wd.error.account':
      'Introduce un IBAN válido (p. ej. ES91 2100 0418 4502 0005 1332) o un número de cuenta de 6 a 20 dígitos.',
    'wd.error.routing': 'Introduce un código de ruta válido (9 dígitos) o un BIC (8 u 11 caracteres).',
    'wd.error.form': 'Corrige los campos marcados.',
    'wd.kyc_heading': 'Cuéntanos quién eres',
    'wd.kyc_intro':
      'Debemos conocer a nuestros clientes antes de pagar {amount} {asset}. Solo lo pedimos una vez.',
    'wd.error.kyc_rejected':
      'No podemos procesar retiros para esta cuenta. Contacta con soporte para más detalles.',
  },
});

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;background:#f4f6fa}
header{display:flex;align-items:center;gap:.75rem;background:#12315f;color:#fff;padding:.75rem 1rem;font-weight:600}
header img{width:32px;height:32px;border-radius:.4rem}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.25rem 0 .75rem}
h2{font-size:1.1rem;margin:1rem 0 .5rem}
.card{background:#fff;border-radius:.75rem;padding:1rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input{display:block;width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #aab2c0;border-radius:.5rem}
input:focus{outline:3px solid #9ec5ff;border-color:#2a6df4}
[aria-invalid=true]{border-color:#c0262d;background:#fff6f6}
.hint{font-size:.875rem;color:#5b6475;margin:.25rem 0 0}
.error{font-size:.9rem;color:#b3141b;margin:.25rem 0 0}
.alert{padding:.75rem;border-radius:.5rem;background:#fdecec;color:#8a1016;margin:0 0 1rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem;margin:0 0 1rem}dt{color:#5b6475}dd{margin:0;font-weight:600;text-align:right}
button{display:block;width:100%;font:inherit;font-weight:600;padding:.8rem;border:0;border-radius:.5rem;background:#2a6df4;color:#fff;cursor:pointer;margin-top:.5rem}
button.secondary{background:#e4e9f2;color:#1d2433}
footer{font-size:.875rem;color:#5b6475;text-align:center;padding:1rem}
@media (min-width:48rem){main{padding:2rem}.card{padding:2rem}.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 1.5rem}button{width:auto;padding:.8rem 2rem;display:inline-block}}
`;

interface Branding {
  name: string;
  logo: string | undefined;
  supportEmail: string | undefined;
}

/** The organization from the stellar.toml [DOCUMENTATION] (SEP-1), as on the deposit pages. */
function branding(config: AppConfig): Branding {
  const doc = documentation(config);
  return {
    name: doc.ORG_NAME,
    logo: doc.ORG_LOGO ?? undefined,
    supportEmail: doc.ORG_SUPPORT_EMAIL ?? undefined,
  };
}

const Page: FC<{ lang: string; title: string; brand: Branding; t: Translate; children?: unknown }> = (p) => (
  <html lang={p.lang}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>{p.title}</title>
      <style>{CSS + KYC_FORM_CSS}</style>
    </head>
    <body>
      <header>
        {p.brand.logo ? <img src={p.brand.logo} alt="" /> : null}
        <span>{p.brand.name}</span>
      </header>
      <main>
        <div class="card">{p.children as never}</div>
      </main>
      <footer>{p.brand.supportEmail ? p.t('wd.support', { email: p.brand.supportEmail }) : null}</footer>
    </body>
  </html>
);

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
  const brand = branding(config);
  const policy = withdrawalPolicyFromConfig(config);
  const asset = config.stellar.assetCode;
  const app = new Hono();

  app.use('*', async (c, next) => {
    await next();
    setPageSecurityHeaders(
      c,
      `default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'; frame-ancestors ${config.sep24.frameAncestors}`,
    );
  });

  const fail = (c: Context, lang: string, key: string, status: 400 | 401 | 403 | 409 | 503) => {
    const { t } = messages(lang);
    return c.html(
      <Page lang={lang} title={t('wd.title', { asset })} brand={brand} t={t}>
        <h1>{t('wd.title', { asset })}</h1>
        <p class="alert" role="alert">
          {t(key)}
        </p>
      </Page>,
      status,
    );
  };

  /** The session's withdrawal, still editable; or an error page. */
  async function open(c: Context, transactionId: string | undefined, session: string | undefined) {
    if (!transactionId || !session) return { error: fail(c, 'en', 'wd.error.session', 401) };
    const s = await findSession(db, { transactionId, session });
    const row = s ? await getTransaction(db, transactionId) : undefined;
    if (!s || !row || row.kind !== 'withdrawal')
      return { error: fail(c, row?.lang ?? 'en', 'wd.error.session', 401) };
    if (row.status !== 'incomplete') return { error: fail(c, row.lang, 'wd.error.state', 409) };
    return { row, session: s.session, prefill: s.prefill ?? {} };
  }

  // Entry: the URL from POST /transactions/withdraw/interactive. Spends the one-time token (S24-18) and keeps the
  // wallet's callback / on_change_callback parameters (S24-19).
  app.get('/', async (c) => {
    const transactionId = c.req.query('transaction_id');
    const token = c.req.query('token');
    const row = transactionId ? await getTransaction(db, transactionId) : undefined;
    const lang = row?.lang ?? 'en';
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
    const fmt = (a: string) => formatAmount(lang, a);
    const err = (k: string) => errors[k];
    return c.html(
      <Page lang={lang} title={t('wd.title', { asset })} brand={brand} t={t}>
        <h1>{t('wd.title', { asset })}</h1>
        <p>{t('wd.intro', { asset })}</p>
        {Object.keys(errors).length > 0 && (
          <p class="alert" role="alert" id="form-error">
            {errors.amount ?? t('wd.error.form')}
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
          >
            <p class="hint">
              {t('wd.amount_hint', {
                min: fmt(policy.minAmount),
                max: fmt(policy.maxAmount),
                balance: fmt(balance ?? '0'),
                asset,
              })}
            </p>
            <p class="hint">
              {t('wd.fee_schedule', {
                fixed: fmt(policy.feeFixed),
                percent: fmt(policy.feePercent),
                minimum: fmt(policy.feeMinimum),
                asset,
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
            />
            <FormField
              name="account"
              label={t('wd.account')}
              value={values.account}
              error={err('account')}
              autocomplete="off"
              required
              hint={<p class="hint">{t('wd.account_hint')}</p>}
            />
            <FormField
              name="routing"
              label={t('wd.routing')}
              value={values.routing}
              error={err('routing')}
              autocomplete="off"
            />
          </div>
          <button type="submit">{t('wd.continue')}</button>
        </form>
      </Page>,
      status,
    );
  };

  app.get('/form', async (c) => {
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

  app.post('/form', async (c) => {
    const form = await c.req.parseBody();
    const str = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
    const opened = await open(c, str('transaction_id'), str('session'));
    if ('error' in opened) return opened.error;
    const { row, session } = opened;
    const { t } = messages(row.lang);
    const fmt = (a: string) => formatAmount(row.lang, a);
    const values: FormValues = {
      amount: str('amount').trim(),
      holder: str('holder'),
      account: str('account'),
      routing: str('routing'),
    };
    const errors: Record<string, string> = {};
    // Users type "25,50" in Spanish: readTypedAmount accepts the comma as the decimal separator.
    const typed = readTypedAmount(values.amount);
    let balance: string | null = null;
    let amount: string | undefined;
    if (!typed || compareAmounts(typed, '0') <= 0) errors.amount = t('wd.error.amount_invalid');
    else if (compareAmounts(typed, policy.minAmount) < 0)
      errors.amount = t('wd.error.amount_min', { min: fmt(policy.minAmount), asset });
    else if (compareAmounts(typed, policy.maxAmount) > 0)
      errors.amount = t('wd.error.amount_max', { max: fmt(policy.maxAmount), asset });
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
        errors.amount = t('wd.error.balance', { amount: fmt(amount), balance: fmt(balance), asset });
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
          asset,
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
    const key = { account: row.sub_account, memo: row.sub_memo ?? '' };
    const { tier } = kycRequirement(config, { amount });
    const state = await customerStatusForTier(db, key, tier);
    if (state.status === 'REJECTED') return fail(c, row.lang, 'wd.error.kyc_rejected', 403);
    if (state.status === 'NEEDS_INFO') {
      const { values, filesOnRecord } = await prefillValues(kycCtx, key, prefill);
      return renderKyc(c, row, session, amount, tier, values, {}, filesOnRecord);
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
      <Page lang={row.lang} title={t('wd.kyc_heading')} brand={brand} t={t}>
        <h1 id="kyc-heading">{t('wd.kyc_heading')}</h1>
        <p>{t('wd.kyc_intro', { amount: formatAmount(row.lang, amount), asset })}</p>
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
      </Page>,
      Object.keys(errors).length > 0 ? 422 : 200,
    );
  }

  function renderConfirm(c: Context, row: TransactionRow, session: string, amount: string, masked: string) {
    const { t } = messages(row.lang);
    const fmt = (a: string) => formatAmount(row.lang, a);
    const quote = computeFee(amount, policy);
    return c.html(
      <Page lang={row.lang} title={t('wd.confirm_heading')} brand={brand} t={t}>
        <h1>{t('wd.confirm_heading')}</h1>
        <dl>
          <dt>{t('wd.you_send')}</dt>
          <dd id="you-send">
            {fmt(quote.amountIn)} {asset}
          </dd>
          <dt>{t('wd.fee')}</dt>
          <dd id="fee">
            {fmt(quote.amountFee)} {asset}
          </dd>
          <dt>{t('wd.you_receive')}</dt>
          <dd id="you-receive">
            {fmt(quote.amountOut)} {policy.payoutCurrency}
          </dd>
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
      </Page>,
    );
  }

  /** The masked bank account the form step stored; null before that step. */
  const maskedDestination = (transactionId: string) => maskedWithdrawalDestination(db, transactionId);

  // The hosted KYC form's POST (binary fields as multipart parts).
  app.post('/kyc', async (c) => {
    const form = (await c.req.parseBody()) as Record<string, SubmittedValue>;
    const str = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
    const opened = await open(c, str('transaction_id'), str('session'));
    if ('error' in opened) return opened.error;
    const { row, session } = opened;
    const masked = await maskedDestination(row.id);
    if (!row.amount_expected || !masked) return fail(c, row.lang, 'wd.error.session', 409);
    const amount = canonicalAmount(row.amount_expected);
    const key = { account: row.sub_account, memo: row.sub_memo ?? '' };
    const { tier } = kycRequirement(config, { amount });
    const result = await handleKycSubmit(kycCtx, { key, lang: row.lang, tier, form });
    if (!result.ok) {
      const { filesOnRecord } = await prefillValues(kycCtx, key, {});
      return renderKyc(c, row, session, amount, tier, result.values, result.errors, filesOnRecord);
    }
    return kycOrConfirm(c, row, session, amount, masked);
  });

  app.post('/confirm', async (c) => {
    const form = await c.req.parseBody();
    const str = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
    const opened = await open(c, str('transaction_id'), str('session'));
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
    const fmt = (a: string) => formatAmount(row.lang, a);
    const quote = computeFee(amount, policy);
    const postMessage = row.interactive_callback === 'postMessage';
    return c.html(
      <Page lang={row.lang} title={t('wd.done_heading')} brand={brand} t={t}>
        <h1 id="done">{t('wd.done_heading')}</h1>
        <p>
          {t('wd.done_body', {
            amount: fmt(amount),
            receive: `${fmt(quote.amountOut)} ${policy.payoutCurrency}`,
            asset,
            last4: masked.slice(-4),
          })}
        </p>
        <p class="hint">{t('wd.close')}</p>
        {postMessage && (
          <script
            dangerouslySetInnerHTML={{
              __html: `(function(){var m=${JSON.stringify(JSON.stringify({ transaction: toSep24Transaction(config, current) })).replace(/</g, '\\u003c')};var w=window.opener||window.parent;if(w&&w!==window)w.postMessage(JSON.parse(m),'*');})();`,
            }}
          />
        )}
      </Page>,
    );
  });

  return app;
}

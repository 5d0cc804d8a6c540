import { en } from './messages/en.js';
import { es } from './messages/es.js';
import { ptBR } from './messages/pt-BR.js';

/**
 * A small localization module shared by every hosted page and user-facing API message.
 *
 * - `resolveLang('es-MX')` → `'es'`, `resolveLang('pt')` → `'pt-BR'`; anything unsupported or missing falls back
 *   to `'en'` (never an error). `negotiateLang()` is the one rule of a request: `lang`, else Accept-Language, else en.
 * - `translate(lang, key, params)` looks the key up in that language, then in English, then returns the key.
 * - `formatDate` / `formatAmount` use Intl with the language's conventions; amounts stay decimal strings.
 *
 * Other surfaces add their own messages with `extendCatalog({ en: {...}, es: {...} })` and use the returned
 * translator, so this module's files stay owned by one team.
 */
export const SUPPORTED_LANGS = ['en', 'es', 'pt-BR'] as const;
export type Lang = (typeof SUPPORTED_LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

export type Messages = Record<string, string>;
export type Catalog = Record<Lang, Messages> | ({ en: Messages } & Partial<Record<Lang, Messages>>);
/** A catalog whose every language has exactly the English keys (the type checker holds translators to it). */
export type CompleteCatalog<K extends string> = Record<Lang, Record<K, string>>;

const BASE: Record<Lang, Messages> = { en, es, 'pt-BR': ptBR };

/** The primary subtag of each language (`pt-PT` and `pt` read as Brazilian Portuguese: the market we serve). */
const BY_PRIMARY: Record<string, Lang> = { en: 'en', es: 'es', pt: 'pt-BR' };

/** A supported language for a BCP 47 tag (`es-MX`, `es_MX`, `pt-BR`, `pt`), or undefined. */
function supported(tag: string): Lang | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return BY_PRIMARY[primary];
}

/** ISO 639-1 (`es`) or RFC 4646 (`es-MX`, `es_MX`, `pt-BR`) → a supported language, else English. */
export function resolveLang(input?: string | null): Lang {
  return (input ? supported(input) : undefined) ?? DEFAULT_LANG;
}

/** The best supported language of an Accept-Language header (`es-ES,es;q=0.9,en;q=0.8`), if any; q=0 excluded. */
export function acceptedLang(header?: string | null): Lang | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...rest] = part.trim().split(';');
      const q = rest.map((r) => r.trim()).find((r) => r.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: tag ?? '', q: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.tag !== '' && r.tag !== '*' && r.q > 0)
    // Highest q first; equal q keeps the header's order.
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const lang = supported(tag);
    if (lang) return lang;
  }
  return undefined;
}

/** Picks the best supported language from an Accept-Language header, else English. */
export function langFromAcceptLanguage(header?: string | null): Lang {
  return acceptedLang(header) ?? DEFAULT_LANG;
}

/**
 * The language of a request, for pages and API messages alike: an explicit `lang` (query, form or body) wins,
 * then the Accept-Language header, then what the transaction was started with, then English.
 */
export function negotiateLang(input: {
  lang?: string | null | undefined;
  acceptLanguage?: string | null | undefined;
  stored?: string | null | undefined;
}): Lang {
  const explicit = input.lang ? supported(input.lang) : undefined;
  return explicit ?? acceptedLang(input.acceptLanguage) ?? resolveLang(input.stored);
}

export type Params = Record<string, string | number>;

function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export type Translate = (key: string, params?: Params) => string;

export interface Translator {
  lang: Lang;
  t: Translate;
  /** `has('sep9.field.photo_id_front')`: whether any language defines the key. */
  has(key: string): boolean;
}

function lookup(catalog: Record<Lang, Messages>, lang: Lang, key: string): string | undefined {
  return catalog[lang]?.[key] ?? catalog[DEFAULT_LANG]?.[key];
}

function buildTranslator(catalog: Record<Lang, Messages>, lang: Lang): Translator {
  return {
    lang,
    t: (key, params) => interpolate(lookup(catalog, lang, key) ?? key, params),
    has: (key) => lookup(catalog, lang, key) !== undefined,
  };
}

/** The shared translator (common + KYC + SEP-9 messages). */
export function translator(lang?: string | null): Translator {
  return buildTranslator(BASE, resolveLang(lang));
}

export function translate(lang: string | null | undefined, key: string, params?: Params): string {
  return translator(lang).t(key, params);
}

const REGISTERED: { name: string; catalog: Catalog }[] = [{ name: 'base', catalog: BASE }];

/** Every catalog built so far (the shared one first), for the test that no language misses a key. */
export function registeredCatalogs(): readonly { name: string; catalog: Catalog }[] {
  return REGISTERED;
}

/**
 * Adds a surface's own messages on top of the shared ones; missing keys fall back to English at run time (the
 * surfaces' catalogs are typed `CompleteCatalog<Key>`, so none is missing, and a test checks every registered one).
 * `const sep24 = extendCatalog({ en: { 'sep24.title': 'Deposit' }, es: { 'sep24.title': 'Depósito' }, ... });`
 * `sep24('es').t('sep24.title')`.
 */
export function extendCatalog(
  extra: Catalog,
  name = `catalog-${REGISTERED.length}`,
): (lang?: string | null) => Translator {
  const merged = {} as Record<Lang, Messages>;
  for (const lang of SUPPORTED_LANGS) merged[lang] = { ...BASE[lang], ...(extra[lang] ?? {}) };
  REGISTERED.push({ name, catalog: extra });
  return (lang) => buildTranslator(merged, resolveLang(lang));
}

const INTL_LOCALE: Record<Lang, string> = { en: 'en-US', es: 'es-ES', 'pt-BR': 'pt-BR' };

export function intlLocale(lang: string | null | undefined): string {
  return INTL_LOCALE[resolveLang(lang)];
}

/** `YYYY-MM-DD` (SEP-9 date, X-14) → the language's short date (`12/31/1990`, `31/12/1990`). */
export function formatDate(lang: string | null | undefined, isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(intlLocale(lang), {
    timeZone: 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}

/** A moment as the language's long date and short time, in UTC (`November 25, 2026 at 5:17 PM UTC`). */
export function formatDateTime(lang: string | null | undefined, d: Date): string {
  return `${new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(d)} UTC`;
}

/** The pattern users type dates in for that language, e.g. `MM/DD/YYYY` or `DD/MM/AAAA`. */
export function datePattern(lang: string | null | undefined): string {
  return translate(lang, 'common.date_pattern');
}

/**
 * Reads a date typed by the user: ISO `YYYY-MM-DD` always, or the language's own order (`MM/DD/YYYY` in
 * English, `DD/MM/YYYY` in Spanish, with `/`, `.` or `-`). Returns `YYYY-MM-DD`, or undefined if it is not a
 * real calendar date.
 */
export function parseLocalDate(lang: string | null | undefined, input: string): string | undefined {
  const s = input.trim();
  let y: number;
  let mo: number;
  let d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const local = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (iso) {
    [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (local) {
    const [a, b] = [Number(local[1]), Number(local[2])];
    y = Number(local[3]);
    if (resolveLang(lang) === 'en') [mo, d] = [a, b];
    else [d, mo] = [a, b];
  } else {
    return undefined;
  }
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A decimal amount string in the language's format (`1,234.5` / `1234,5`; es groups from 5 digits, as CLDR
 * says). The string goes to Intl as is, so no precision is lost to a float.
 */
export function formatAmount(
  lang: string | null | undefined,
  amount: string,
  opts: { minimumFractionDigits?: number; maximumFractionDigits?: number } = {},
): string {
  const nf = new Intl.NumberFormat(intlLocale(lang), {
    minimumFractionDigits: opts.minimumFractionDigits ?? 0,
    maximumFractionDigits: opts.maximumFractionDigits ?? 7,
  });
  // Intl.NumberFormat v3 formats decimal strings exactly; the cast satisfies older lib typings.
  return nf.format(amount as unknown as number);
}

/** A size limit for people: `64 KB`, `10 MB`, `1,5 MB` (binary units, as upload limits are). */
export function formatByteSize(lang: string | null | undefined, bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${formatAmount(lang, mb.toFixed(1).replace(/\.0$/, ''))} MB`;
  return `${formatAmount(lang, String(Math.max(1, Math.round(bytes / 1024))))} KB`;
}

/**
 * THE money formatter of every page: Intl grouping and decimal separator of the language, at least `decimals`
 * places (the asset's display_decimals) and every significant one up to 7 (money is never rounded for show),
 * then the unit of that amount (`1,000.00 USDC`, `250,50 USD`). The amount stays a decimal string.
 */
export function formatMoney(
  lang: string | null | undefined,
  amount: string,
  unit: string,
  decimals = 2,
): string {
  return `${formatAmount(lang, amount, { minimumFractionDigits: decimals })} ${unit}`;
}

/** A percentage given in points (`'1.5'` → `1.5%`, `1,5 %`): the language's number and its percent sign. */
export function formatPercent(lang: string | null | undefined, points: string): string {
  const parts = new Intl.NumberFormat(intlLocale(lang), { style: 'percent' }).formatToParts(0);
  const number = formatAmount(lang, points);
  return parts.map((p) => (p.type === 'integer' ? number : p.value.replace(/\u00a0/g, ' '))).join('');
}

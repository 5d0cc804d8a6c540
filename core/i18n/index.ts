import { en } from './messages/en.js';
import { es } from './messages/es.js';

/**
 * A small localization module shared by every hosted page and user-facing API message.
 *
 * - `resolveLang('es-MX')` → `'es'`; anything unsupported or missing falls back to `'en'` (never an error).
 * - `translate(lang, key, params)` looks the key up in that language, then in English, then returns the key.
 * - `formatDate` / `formatAmount` use Intl with the language's conventions; amounts stay decimal strings.
 *
 * Other surfaces add their own messages with `extendCatalog({ en: {...}, es: {...} })` and use the returned
 * translator, so this module's files stay owned by one team.
 */
export const SUPPORTED_LANGS = ['en', 'es'] as const;
export type Lang = (typeof SUPPORTED_LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

export type Messages = Record<string, string>;
export type Catalog = Record<Lang, Messages> | ({ en: Messages } & Partial<Record<Lang, Messages>>);

const BASE: Record<Lang, Messages> = { en, es };

/** ISO 639-1 (`es`) or RFC 4646 (`es-MX`, `es_MX`) → a supported language, else English. */
export function resolveLang(input?: string | null): Lang {
  if (!input) return DEFAULT_LANG;
  const primary = input.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (SUPPORTED_LANGS as readonly string[]).includes(primary) ? (primary as Lang) : DEFAULT_LANG;
}

/** Picks the best supported language from an Accept-Language header (`es-ES,es;q=0.9,en;q=0.8`). */
export function langFromAcceptLanguage(header?: string | null): Lang {
  if (!header) return DEFAULT_LANG;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { tag: tag ?? '', q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const primary = tag.toLowerCase().split('-')[0];
    if ((SUPPORTED_LANGS as readonly string[]).includes(primary ?? '')) return primary as Lang;
  }
  return DEFAULT_LANG;
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

/**
 * Adds a surface's own messages on top of the shared ones; missing Spanish keys fall back to English.
 * `const sep24 = extendCatalog({ en: { 'sep24.title': 'Deposit' }, es: { 'sep24.title': 'Depósito' } });`
 * `sep24('es').t('sep24.title')`.
 */
export function extendCatalog(extra: Catalog): (lang?: string | null) => Translator {
  const merged = {} as Record<Lang, Messages>;
  for (const lang of SUPPORTED_LANGS) merged[lang] = { ...BASE[lang], ...(extra[lang] ?? {}) };
  return (lang) => buildTranslator(merged, resolveLang(lang));
}

const INTL_LOCALE: Record<Lang, string> = { en: 'en-US', es: 'es-ES' };

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

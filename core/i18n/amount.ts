import { canonicalAmount, isAmount } from '../../stellar/money.js';
import { formatAmount, type Lang, resolveLang } from './index.js';

/**
 * THE reading of an amount a person typed on a hosted page, in the page's language. Grouping separators are
 * accepted where they can only be grouping ("1,000" and "2,500.00" in English, "5.000,50" in Spanish and
 * Portuguese); input that has two plausible readings is refused with both shown in the canonical form, so
 * "1,000" never becomes 1.00 and "2.500" in English is never silently 2.5 for someone who meant 2500.
 *
 * The result is a canonical decimal string (`stellar/money.ts`), never a JS number.
 */
export type TypedAmount =
  | { ok: true; amount: string }
  | { ok: false; reason: 'invalid' }
  /** `readings`: the two amounts it could mean, already formatted for the language ("2.5", "2,500"). */
  | { ok: false; reason: 'ambiguous'; readings: [string, string] };

const SEPARATORS: Record<Lang, { decimal: string; group: string }> = {
  en: { decimal: '.', group: ',' },
  es: { decimal: ',', group: '.' },
  'pt-BR': { decimal: ',', group: '.' },
};

/** `1`, `12`, `123` then groups of exactly three digits: the only shape a grouped integer part has. */
const GROUPED = (sep: string) => new RegExp(`^[1-9]\\d{0,2}(?:\\${sep}\\d{3})+$`);

function decimal(integer: string, fraction: string | undefined): string | undefined {
  const s = fraction === undefined || fraction === '' ? integer : `${integer}.${fraction}`;
  if (!/^\d+(\.\d+)?$/.test(s) || !isAmount(s)) return undefined;
  return canonicalAmount(s);
}

export function parseTypedAmount(lang: string | null | undefined, input: string): TypedAmount {
  const language = resolveLang(lang);
  const own = SEPARATORS[language];
  // Spaces (also the no-break and narrow no-break spaces Intl prints) only ever group digits.
  const s = input.replace(/[\s\u00a0\u202f]+/g, '');
  const invalid = { ok: false, reason: 'invalid' } as const;
  if (s === '' || !/^[\d.,]+$/.test(s) || !/\d/.test(s)) return invalid;
  const ok = (v: string | undefined): TypedAmount => (v === undefined ? invalid : { ok: true, amount: v });

  const dots = s.split('.').length - 1;
  const commas = s.split(',').length - 1;
  if (dots === 0 && commas === 0) return ok(decimal(s, undefined));

  if (dots > 0 && commas > 0) {
    // Both: the last one is the decimal separator, the other must group the integer part correctly.
    const decimalSep = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
    const groupSep = decimalSep === '.' ? ',' : '.';
    const at = s.lastIndexOf(decimalSep);
    const integer = s.slice(0, at);
    const fraction = s.slice(at + 1);
    if (fraction.includes(groupSep) || integer.includes(decimalSep) || !GROUPED(groupSep).test(integer))
      return invalid;
    return ok(decimal(integer.split(groupSep).join(''), fraction));
  }

  const sep = dots > 0 ? '.' : ',';
  const count = dots + commas;
  if (count > 1) {
    // The same separator several times can only be grouping: "1,000,000" / "1.000.000".
    return GROUPED(sep).test(s) ? ok(decimal(s.split(sep).join(''), undefined)) : invalid;
  }
  const [integer = '', fraction = ''] = s.split(sep);
  if (integer === '' || fraction === '') return invalid;
  const couldGroup = GROUPED(sep).test(s);
  if (sep === own.group && couldGroup) return ok(decimal(`${integer}${fraction}`, undefined)); // "1,000" in en
  if (sep === own.decimal && couldGroup) {
    // "2.500" in English (or "2,500" in Spanish): 2.5 by the page's rules, 2500 by the other convention.
    const asDecimal = decimal(integer, fraction);
    const asGrouped = decimal(`${integer}${fraction}`, undefined);
    if (!asDecimal || !asGrouped) return invalid;
    return {
      ok: false,
      reason: 'ambiguous',
      readings: [
        formatAmount(language, asDecimal, { maximumFractionDigits: 7 }),
        formatAmount(language, asGrouped),
      ],
    };
  }
  // A separator that cannot be grouping is the decimal one, whichever convention the user writes in ("25,5").
  return ok(decimal(integer, fraction));
}

/**
 * Exact rational arithmetic for SEP-38 prices. stellar/money's 7-place stroops cover amounts, but a price
 * is a quotient (5.4 BRL per USDC is 0.185185... USDC per BRL), so prices are computed as fractions of
 * bigints and rounded once, at the end, to the places the caller asks for. Never a JS number.
 */

export interface Ratio {
  readonly num: bigint;
  /** Always > 0; the fraction is kept reduced. */
  readonly den: bigint;
}

export type RoundingMode = 'down' | 'up' | 'half-up';

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function ratio(num: bigint, den = 1n): Ratio {
  if (den === 0n) throw new RangeError('division by zero');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

export const ZERO = ratio(0n);
export const ONE = ratio(1n);

export function isDecimalString(s: string): boolean {
  return DECIMAL.test(s);
}

/** Places after the point as written ('1.50' has 2). */
export function decimalPlaces(s: string): number {
  return DECIMAL.exec(s)?.[2]?.length ?? 0;
}

/** A non-negative decimal string ('12', '0.5', '5.40') as an exact fraction. */
export function parseDecimal(s: string): Ratio {
  const m = DECIMAL.exec(s);
  if (!m) throw new RangeError(`not a decimal number: ${JSON.stringify(s)}`);
  const frac = m[2] ?? '';
  return ratio(BigInt(m[1]! + frac), 10n ** BigInt(frac.length));
}

export const add = (a: Ratio, b: Ratio) => ratio(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Ratio, b: Ratio) => ratio(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Ratio, b: Ratio) => ratio(a.num * b.num, a.den * b.den);
export const div = (a: Ratio, b: Ratio) => {
  if (b.num === 0n) throw new RangeError('division by zero');
  return ratio(a.num * b.den, a.den * b.num);
};
export const compare = (a: Ratio, b: Ratio): -1 | 0 | 1 => {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
};
export const isZero = (a: Ratio) => a.num === 0n;
export const isPositive = (a: Ratio) => a.num > 0n;

/** `a` rounded to `places` decimals: towards zero ('down'), away from zero ('up') or to the nearest, ties up. */
export function round(a: Ratio, places: number, mode: RoundingMode): Ratio {
  const scale = 10n ** BigInt(places);
  const scaled = a.num * scale;
  const neg = scaled < 0n;
  const abs = neg ? -scaled : scaled;
  let q = abs / a.den;
  const rem = abs % a.den;
  if (rem !== 0n) {
    if (mode === 'up' || (mode === 'half-up' && rem * 2n >= a.den)) q += 1n;
  }
  return ratio(neg ? -q : q, scale);
}

/** Exact when `a` has at most `places` decimals; otherwise rounded with `mode` (default half-up). */
export function toFixed(a: Ratio, places: number, mode: RoundingMode = 'half-up'): string {
  const r = round(a, places, mode);
  const scale = 10n ** BigInt(places);
  const scaled = (r.num * scale) / r.den;
  const neg = scaled < 0n;
  const digits = (neg ? -scaled : scaled).toString().padStart(places + 1, '0');
  const int = digits.slice(0, digits.length - places);
  const frac = places > 0 ? `.${digits.slice(digits.length - places)}` : '';
  return `${neg ? '-' : ''}${int}${frac}`;
}

/** Like toFixed, without trailing zeros ('12.50' → '12.5', '3.000' → '3'): the one wire form of a value. */
export function toDecimalString(a: Ratio, places: number, mode: RoundingMode = 'half-up'): string {
  const s = toFixed(a, places, mode);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Digits before the point of |a| (0.5 → 0, 9.9 → 1, 10 → 2). */
export function integerDigits(a: Ratio): number {
  const int = (a.num < 0n ? -a.num : a.num) / a.den;
  return int === 0n ? 0 : int.toString().length;
}

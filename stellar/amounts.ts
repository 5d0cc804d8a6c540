/**
 * Amounts on Stellar have 7 decimal places. Inside the anchor an amount is either a decimal string (at most 7
 * places) or a bigint of stroops (1 unit = 10^7 stroops). Never a JS number: 0.1 + 0.2 must not happen to money.
 */

export const DECIMALS = 7;
export const STROOPS_PER_UNIT = 10_000_000n;
/** Largest amount a Stellar ledger entry can hold: int64 stroops. */
export const MAX_STROOPS = 9_223_372_036_854_775_807n;

const AMOUNT = /^(\d+)(?:\.(\d{1,7}))?$/;

export class InvalidAmountError extends Error {
  readonly code = 'invalid_amount';
  constructor(readonly value: unknown) {
    super(`not a Stellar amount (a non-negative decimal with at most 7 places): ${JSON.stringify(value)}`);
    this.name = 'InvalidAmountError';
  }
}

export function isAmount(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = AMOUNT.exec(value);
  if (!m) return false;
  return toStroopsUnchecked(m) <= MAX_STROOPS;
}

function toStroopsUnchecked(m: RegExpExecArray): bigint {
  const whole = BigInt(m[1]!);
  const fraction = BigInt((m[2] ?? '').padEnd(DECIMALS, '0'));
  return whole * STROOPS_PER_UNIT + fraction;
}

/** "12.5" → 125000000n. Throws InvalidAmountError on anything but a non-negative decimal with ≤ 7 places. */
export function toStroops(amount: string): bigint {
  const m = typeof amount === 'string' ? AMOUNT.exec(amount) : null;
  if (!m) throw new InvalidAmountError(amount);
  const stroops = toStroopsUnchecked(m);
  if (stroops > MAX_STROOPS) throw new InvalidAmountError(amount);
  return stroops;
}

/** 125000000n → "12.5000000": Horizon's format (always 7 places), the format the SDK builders accept. */
export function fromStroops(stroops: bigint): string {
  if (stroops < 0n) return `-${fromStroops(-stroops)}`;
  const whole = stroops / STROOPS_PER_UNIT;
  const fraction = (stroops % STROOPS_PER_UNIT).toString().padStart(DECIMALS, '0');
  return `${whole}.${fraction}`;
}

/** Canonical 7-place form of an amount string ("1" → "1.0000000"); equal amounts compare equal as strings. */
export function normalizeAmount(amount: string): string {
  return fromStroops(toStroops(amount));
}

/** The shortest exact decimal form ("1.5000000" → "1.5", "2.0000000" → "2"), for display and SEP payloads. */
export function trimAmount(amount: string): string {
  const canonical = normalizeAmount(amount);
  return canonical.replace(/\.?0+$/, '');
}

export function compareAmounts(a: string, b: string): -1 | 0 | 1 {
  const x = toStroops(a);
  const y = toStroops(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function sumAmounts(amounts: readonly string[]): string {
  return fromStroops(amounts.reduce((acc, a) => acc + toStroops(a), 0n));
}

/**
 * The one sanctioned conversion of a decimal amount to a JSON number: SEP-24 `/info` (checklist X-13) publishes
 * limits and fees as numbers. Only for display at that wire boundary; never for arithmetic, never for ledger money.
 */
export function toWireNumber(decimal: string): number {
  if (!isAmount(decimal)) throw new InvalidAmountError(decimal);
  return Number(decimal);
}

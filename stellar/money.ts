import { z } from 'zod';

/**
 * THE money module: every amount the anchor parses, formats or compares goes through here.
 *
 * Inside the anchor an amount is a decimal string with at most 7 places or a bigint of stroops (1 unit = 10^7
 * stroops, Stellar's resolution), never a JS number: 0.1 + 0.2 must not happen to money. Each formatter's name
 * says what it writes, because two wire formats are in use:
 * - `formatFixed7` → `'12.5000000'`: Horizon's form, what the SDK's operation builders take (payments, balances).
 * - `formatTrimmed` → `'12.5'`: the SEP wire and display form (SEP-24 transaction amounts, fees, signals).
 * SEP-24 `/info` publishes numbers: `toWireNumber` is the one sanctioned conversion to a JSON number.
 *
 * Pure (no I/O, no Node built-ins): workflows import it.
 */

export const DECIMALS = 7;
export const STROOPS_PER_UNIT = 10_000_000n;
/** Largest amount a Stellar ledger entry can hold: int64 stroops (922337203685.4775807). */
export const MAX_STROOPS = 9_223_372_036_854_775_807n;

/** A non-negative decimal with at most 7 places: no sign, no exponent, no spaces, no `.5` or `5.`. */
const AMOUNT = /^(\d+)(?:\.(\d{1,7}))?$/;
/**
 * Longer strings are refused before any BigInt work (a megabyte of digits is not an amount). 40 leaves room for
 * leading zeros around the 20 characters of the largest amount.
 */
const MAX_AMOUNT_LENGTH = 40;

export class InvalidAmountError extends Error {
  readonly code = 'invalid_amount';
  constructor(readonly value: unknown) {
    const shown =
      typeof value === 'string' && value.length > MAX_AMOUNT_LENGTH ? `${value.slice(0, 20)}…` : value;
    super(
      `not a Stellar amount (a non-negative decimal with at most 7 places, at most ${formatTrimmed(MAX_STROOPS)}): ${JSON.stringify(shown)}`,
    );
    this.name = 'InvalidAmountError';
  }
}

/** Stroops of a well-formed amount string, or null when it is not one (wrong form, too long, above int64). */
function stroopsOf(value: unknown): bigint | null {
  if (typeof value !== 'string' || value.length > MAX_AMOUNT_LENGTH) return null;
  const m = AMOUNT.exec(value);
  if (!m) return null;
  const stroops = BigInt(m[1]!) * STROOPS_PER_UNIT + BigInt((m[2] ?? '').padEnd(DECIMALS, '0'));
  return stroops <= MAX_STROOPS ? stroops : null;
}

export function isAmount(value: unknown): value is string {
  return stroopsOf(value) !== null;
}

/** `'12.5'` → `125000000n`. Throws InvalidAmountError on anything but a non-negative decimal with ≤ 7 places. */
export function parseAmount(amount: string): bigint {
  const stroops = stroopsOf(amount);
  if (stroops === null) throw new InvalidAmountError(amount);
  return stroops;
}

/** `125000000n` → `'12.5000000'`: always 7 places (Horizon's form, what the SDK builders accept). */
export function formatFixed7(stroops: bigint): string {
  if (stroops < 0n) return `-${formatFixed7(-stroops)}`;
  const whole = stroops / STROOPS_PER_UNIT;
  const fraction = (stroops % STROOPS_PER_UNIT).toString().padStart(DECIMALS, '0');
  return `${whole}.${fraction}`;
}

/** `125000000n` → `'12.5'`, `20000000n` → `'2'`: the shortest exact form (SEP wire, display). */
export function formatTrimmed(stroops: bigint): string {
  return formatFixed7(stroops).replace(/\.?0+$/, '');
}

/**
 * The canonical (trimmed) spelling of an amount string: `'10.50'` and Postgres' `'10.5000000'` → `'10.5'`, so
 * equal amounts are equal strings. Throws InvalidAmountError like parseAmount.
 */
export function canonicalAmount(amount: string): string {
  return formatTrimmed(parseAmount(amount));
}

export function compareAmounts(a: string, b: string): -1 | 0 | 1 {
  const x = parseAmount(a);
  const y = parseAmount(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Total of several amounts, in stroops (format it with the formatter the destination needs). */
export function sumAmounts(amounts: readonly string[]): bigint {
  return amounts.reduce((acc, a) => acc + parseAmount(a), 0n);
}

/**
 * Postgres `numeric` text → stroops. Unlike a column (numeric(30,7) always has 7 places), an aggregate such as
 * `sum()` is an unconstrained numeric that may carry zeros past the 7th place and, in theory, exceed int64;
 * both are accepted here. Digits other than zero past the 7th place are refused: that is not money we wrote.
 */
export function parseNumeric(text: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  const fraction = (m?.[2] ?? '').replace(/0+$/, '');
  if (!m || fraction.length > DECIMALS) throw new InvalidAmountError(text);
  return BigInt(m[1]!) * STROOPS_PER_UNIT + BigInt(fraction.padEnd(DECIMALS, '0'));
}

/**
 * The one sanctioned conversion of a decimal amount to a JSON number: SEP-24 `/info` (checklist X-13) publishes
 * limits and fees as numbers. Only for display at that wire boundary; never for arithmetic, never for ledger money.
 */
export function toWireNumber(decimal: string): number {
  if (!isAmount(decimal)) throw new InvalidAmountError(decimal);
  return Number(decimal);
}

/**
 * THE zod amount schema (config, API, bank client): a string with ≤ 7 places and ≤ int64 stroops, which also
 * keeps it inside Postgres numeric(30,7) (23 integer digits). The value stays the string given.
 */
export const amountSchema = z
  .string()
  .regex(AMOUNT, 'must be a decimal amount with at most 7 places')
  // Only for a well-formed string, so a malformed one gets the one message above.
  .refine(
    (v) => !AMOUNT.test(v) || isAmount(v),
    `must not exceed ${formatTrimmed(MAX_STROOPS)}, the largest Stellar amount`,
  );

/** An amount above zero (a transfer, a payment). */
export const positiveAmountSchema = amountSchema.refine(
  (v) => !isAmount(v) || parseAmount(v) > 0n,
  'must be greater than zero',
);

/** Percentage points, below 1000, with at most 7 decimals (`'1.5'` is 1.5 %): fee and tolerance settings. */
export const percentSchema = z
  .string()
  .refine(
    (v) => isAmount(v) && parseAmount(v) < 1000n * STROOPS_PER_UNIT,
    'must be a percentage with at most 7 decimals, e.g. 0.5',
  );

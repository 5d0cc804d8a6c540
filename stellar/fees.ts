/**
 * Amount arithmetic and the SEP-24 fee schedule (S24-06, A-02), in bigint stroops: money never becomes a JS
 * number. Pure: no I/O, usable from workflows.
 */

const STROOPS_PER_UNIT = 10_000_000n;
const AMOUNT = /^(\d+)(?:\.(\d{1,7}))?$/;

export class AmountFormatError extends Error {
  readonly code = 'amount_invalid';
}

/** '12.5' → 125000000n. Throws AmountFormatError on anything but a non-negative decimal with ≤ 7 places. */
export function toStroops(amount: string): bigint {
  const m = AMOUNT.exec(amount.trim());
  if (!m) throw new AmountFormatError(`not a decimal amount with at most 7 places: ${amount}`);
  return BigInt(m[1]!) * STROOPS_PER_UNIT + BigInt((m[2] ?? '').padEnd(7, '0'));
}

/** 125000000n → '12.5' (no trailing zeros; '0' for zero). */
export function fromStroops(stroops: bigint): string {
  const negative = stroops < 0n;
  const abs = negative ? -stroops : stroops;
  const whole = abs / STROOPS_PER_UNIT;
  const frac = (abs % STROOPS_PER_UNIT).toString().padStart(7, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Canonical form of a decimal string ('10.50' → '10.5'); Postgres numeric(30,7) comes back padded. */
export function normalizeAmount(amount: string): string {
  return fromStroops(toStroops(amount));
}

export function isValidAmount(amount: string): boolean {
  return AMOUNT.test(amount.trim());
}

export function compareAmounts(a: string, b: string): -1 | 0 | 1 {
  const x = toStroops(a);
  const y = toStroops(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface FeeSchedule {
  feeFixed: string;
  /** Percentage points: '1.5' means 1.5 % (S24-06). */
  feePercent: string;
  feeMinimum: string;
}

export interface FeeBreakdownItem {
  name: string;
  description?: string;
  amount: string;
}

export interface FeeQuote {
  amountIn: string;
  amountFee: string;
  amountOut: string;
  breakdown: FeeBreakdownItem[];
}

/**
 * total = amount × percent / 100 + fixed, floored at the minimum and never above the amount itself (S24-06).
 * The percent part rounds half up to the stroop. The breakdown sums to the total (fee_details, S24-27).
 */
export function computeFee(amountIn: string, schedule: FeeSchedule): FeeQuote {
  const amount = toStroops(amountIn);
  const fixed = toStroops(schedule.feeFixed);
  const percentScaled = toStroops(schedule.feePercent); // percent × 10^7
  const denominator = 100n * STROOPS_PER_UNIT;
  const percentPart = (amount * percentScaled * 2n + denominator) / (2n * denominator);
  let total = fixed + percentPart;
  const breakdown: FeeBreakdownItem[] = [];
  if (fixed > 0n) breakdown.push({ name: 'Fixed fee', amount: fromStroops(fixed) });
  if (percentPart > 0n) {
    breakdown.push({
      name: 'Percentage fee',
      description: `${normalizeAmount(schedule.feePercent)}% of the amount`,
      amount: fromStroops(percentPart),
    });
  }
  const minimum = toStroops(schedule.feeMinimum);
  if (total < minimum) {
    breakdown.splice(0, breakdown.length, { name: 'Minimum fee', amount: fromStroops(minimum) });
    total = minimum;
  }
  if (total > amount) {
    total = amount;
    breakdown.splice(0, breakdown.length, { name: 'Fee (capped at the amount)', amount: fromStroops(total) });
  }
  return {
    amountIn: fromStroops(amount),
    amountFee: fromStroops(total),
    amountOut: fromStroops(amount - total),
    breakdown,
  };
}

/** Whether `amount` lies within [min, max] (inclusive). */
export function withinLimits(amount: string, limits: { minAmount: string; maxAmount: string }): boolean {
  return compareAmounts(amount, limits.minAmount) >= 0 && compareAmounts(amount, limits.maxAmount) <= 0;
}

import { canonicalAmount, compareAmounts, formatTrimmed, parseAmount, STROOPS_PER_UNIT } from './money.js';

/**
 * The SEP-24 fee schedule (S24-06, A-02) and limits, in bigint stroops over stellar/money.ts: money never
 * becomes a JS number. Quotes are in the SEP wire form (formatTrimmed). Pure: no I/O, usable from workflows.
 */

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
  const amount = parseAmount(amountIn);
  const fixed = parseAmount(schedule.feeFixed);
  const percentScaled = parseAmount(schedule.feePercent); // percent × 10^7
  const denominator = 100n * STROOPS_PER_UNIT;
  const percentPart = (amount * percentScaled * 2n + denominator) / (2n * denominator);
  let total = fixed + percentPart;
  const breakdown: FeeBreakdownItem[] = [];
  if (fixed > 0n) breakdown.push({ name: 'Fixed fee', amount: formatTrimmed(fixed) });
  if (percentPart > 0n) {
    breakdown.push({
      name: 'Percentage fee',
      description: `${canonicalAmount(schedule.feePercent)}% of the amount`,
      amount: formatTrimmed(percentPart),
    });
  }
  const minimum = parseAmount(schedule.feeMinimum);
  if (total < minimum) {
    breakdown.splice(0, breakdown.length, { name: 'Minimum fee', amount: formatTrimmed(minimum) });
    total = minimum;
  }
  if (total > amount) {
    total = amount;
    breakdown.splice(0, breakdown.length, {
      name: 'Fee (capped at the amount)',
      amount: formatTrimmed(total),
    });
  }
  return {
    amountIn: formatTrimmed(amount),
    amountFee: formatTrimmed(total),
    amountOut: formatTrimmed(amount - total),
    breakdown,
  };
}

/** Whether `amount` lies within [min, max] (inclusive). */
export function withinLimits(amount: string, limits: { minAmount: string; maxAmount: string }): boolean {
  return compareAmounts(amount, limits.minAmount) >= 0 && compareAmounts(amount, limits.maxAmount) <= 0;
}

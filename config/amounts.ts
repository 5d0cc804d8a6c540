import { z } from 'zod';

/**
 * The config's amount rules in one spot. Issue 12 brings one money module (`stellar/money.ts`) with THE zod
 * amount schema and comparison; when it lands, these become re-exports of it.
 */

/** A decimal amount with at most 7 places, kept as a string (never a JS number). */
export const amountString = z
  .string()
  .regex(/^\d+(\.\d{1,7})?$/, 'must be a decimal amount with at most 7 places');

/** Percentage points with at most 7 decimals ('1.5' is 1.5 %). */
export const percentString = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,7})?$/, 'must be a percentage with at most 7 decimals, e.g. 0.5');

export { compareAmounts } from '../stellar/fees.js';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  amountSchema,
  canonicalAmount,
  compareAmounts,
  formatFixed7,
  formatTrimmed,
  InvalidAmountError,
  isAmount,
  MAX_STROOPS,
  parseAmount,
  parseNumeric,
  percentSchema,
  positiveAmountSchema,
  sumAmounts,
  toWireNumber,
} from '../../stellar/money.js';

/** Every representable Stellar amount, in stroops (0 … int64 max). */
const stroops = fc.bigInt({ min: 0n, max: MAX_STROOPS });
/** The same amounts written every way a caller may write them: fixed 7 places, trimmed, padded with zeros. */
const spelled = fc
  .tuple(stroops, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }))
  .map(([s, style, leadingZeros]) => {
    const fixed = formatFixed7(s);
    const body = style === 0 ? fixed : style === 1 ? formatTrimmed(s) : fixed.replace(/0{1,6}$/, '');
    return { stroops: s, text: '0'.repeat(leadingZeros) + body };
  });

describe('stellar/money.ts: the one money module (amounts as strings or bigint stroops, never JS numbers)', () => {
  it('parse ∘ format is the identity on stroops, for both formats', () => {
    fc.assert(
      fc.property(stroops, (s) => {
        expect(parseAmount(formatFixed7(s))).toBe(s);
        expect(parseAmount(formatTrimmed(s))).toBe(s);
      }),
    );
  });

  it('formatFixed7 always writes 7 places (Horizon form); formatTrimmed the shortest exact form (SEP form)', () => {
    fc.assert(
      fc.property(stroops, (s) => {
        expect(formatFixed7(s)).toMatch(/^\d+\.\d{7}$/);
        expect(formatTrimmed(s)).toMatch(/^(0|[1-9]\d*)(\.\d{0,6}[1-9])?$/);
      }),
    );
    expect(formatFixed7(125_000_000n)).toBe('12.5000000');
    expect(formatTrimmed(125_000_000n)).toBe('12.5');
    expect(formatTrimmed(0n)).toBe('0');
  });

  it('parses every spelling of an amount to the same stroops; canonicalAmount is one spelling per value', () => {
    fc.assert(
      fc.property(spelled, ({ stroops: s, text }) => {
        expect(isAmount(text)).toBe(true);
        expect(parseAmount(text)).toBe(s);
        expect(canonicalAmount(text)).toBe(formatTrimmed(s));
        expect(amountSchema.safeParse(text).success).toBe(true);
      }),
    );
  });

  it('compareAmounts agrees with bigint comparison, whatever the spelling', () => {
    fc.assert(
      fc.property(spelled, spelled, (a, b) => {
        const expected = a.stroops < b.stroops ? -1 : a.stroops > b.stroops ? 1 : 0;
        expect(compareAmounts(a.text, b.text)).toBe(expected);
      }),
    );
  });

  it('sumAmounts is exact where floats are not', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: MAX_STROOPS / 64n }), { maxLength: 60 }), (parts) => {
        const total = parts.reduce((a, b) => a + b, 0n);
        expect(sumAmounts(parts.map(formatTrimmed))).toBe(total);
      }),
    );
    expect(formatTrimmed(sumAmounts(['0.1', '0.2']))).toBe('0.3');
  });

  it('refuses > 7 places, negatives, NUL, > int64, exponents and other non-amounts, with one error code', () => {
    const bad = fc.oneof(
      // more than 7 places
      fc.tuple(stroops, fc.integer({ min: 1, max: 9 })).map(([s, d]) => `${formatFixed7(s)}${d}`),
      // negatives
      fc.bigInt({ min: 1n, max: MAX_STROOPS }).map((s) => `-${formatTrimmed(s)}`),
      // a NUL (or other control character) anywhere
      fc.tuple(stroops, fc.constantFrom('\u0000', '\n', '\t', ' '), fc.nat()).map(([s, ch, at]) => {
        const t = formatTrimmed(s);
        const i = at % (t.length + 1);
        return t.slice(0, i) + ch + t.slice(i);
      }),
      // above int64 stroops
      fc.bigInt({ min: MAX_STROOPS + 1n, max: MAX_STROOPS * 1000n }).map(formatFixed7),
      // exponent forms, as Number() would accept them
      fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -9, max: 9 })).map(([m, e]) => `${m}e${e}`),
      fc.constantFrom('', '.5', '5.', '+1', '0x10', 'NaN', 'Infinity', '1,5', '1_000', '١٢'),
    );
    fc.assert(
      fc.property(bad, (text) => {
        expect(isAmount(text)).toBe(false);
        expect(amountSchema.safeParse(text).success).toBe(false);
        let caught: unknown;
        try {
          parseAmount(text);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(InvalidAmountError);
        expect((caught as InvalidAmountError).code).toBe('invalid_amount');
      }),
    );
    expect(isAmount(12.5 as unknown)).toBe(false);
    // A megabyte of digits is refused before any BigInt work, and the message stays short.
    const huge = '9'.repeat(1_000_000);
    expect(() => parseAmount(huge)).toThrow(InvalidAmountError);
    expect(() => parseAmount(huge)).toThrow(/^.{0,200}$/);
  });

  it('amountSchema: one message for a malformed amount, another for one above the largest Stellar amount', () => {
    const issues = (v: string) => amountSchema.safeParse(v).error?.issues.map((i) => i.message);
    expect(issues('1.12345678')).toEqual(['must be a decimal amount with at most 7 places']);
    expect(issues('922337203685.4775808')).toEqual([
      'must not exceed 922337203685.4775807, the largest Stellar amount',
    ]);
    expect(positiveAmountSchema.safeParse('0.0000000').success).toBe(false);
    expect(positiveAmountSchema.safeParse('0.0000001').success).toBe(true);
    expect(percentSchema.safeParse('999.9999999').success).toBe(true);
    expect(percentSchema.safeParse('1000').success).toBe(false);
  });

  it('parseNumeric reads Postgres aggregates: extra zero places yes, extra digits no', () => {
    expect(parseNumeric('12.50000000000')).toBe(125_000_000n);
    expect(parseNumeric('0')).toBe(0n);
    expect(() => parseNumeric('1.00000001')).toThrow(InvalidAmountError);
    expect(() => parseNumeric('-1')).toThrow(InvalidAmountError);
  });

  it('toWireNumber is the one conversion to a JSON number (SEP-24 /info, X-13) and only takes amounts', () => {
    fc.assert(
      // Up to 15 significant digits a decimal survives the trip through a double exactly (DBL_DIG).
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), (s) => {
        const text = formatTrimmed(s);
        const wire = JSON.parse(JSON.stringify({ min_amount: toWireNumber(text) })).min_amount;
        expect(typeof wire).toBe('number');
        expect(canonicalAmount(wire.toFixed(7))).toBe(text);
      }),
    );
    expect(() => toWireNumber('1e3')).toThrow(InvalidAmountError);
  });
});

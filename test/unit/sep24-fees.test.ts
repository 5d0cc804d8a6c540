import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { computeFee } from '../../stellar/fees.js';
import { canonicalAmount, compareAmounts, formatTrimmed, parseAmount } from '../../stellar/money.js';

describe('SEP-24 fee schedule (S24-06, A-02) and amounts as stroops', () => {
  it('fee = amount × percent / 100 + fixed, in percentage points, breakdown sums to the total', () => {
    const q = computeFee('250.5', { feeFixed: '1', feePercent: '1', feeMinimum: '0' });
    expect(q).toEqual({
      amountIn: '250.5',
      amountFee: '3.505',
      amountOut: '246.995',
      breakdown: [
        { name: 'Fixed fee', amount: '1' },
        { name: 'Percentage fee', description: '1% of the amount', amount: '2.505' },
      ],
    });
    const sum = q.breakdown.reduce((a, b) => a + parseAmount(b.amount), 0n);
    expect(formatTrimmed(sum)).toBe(q.amountFee);
  });

  it('rounds the percent part half up to the stroop, never through a float', () => {
    // 0.1 + 0.2 style traps: 33.3333333 × 0.3 % = 0.09999999999 → 0.1
    expect(computeFee('33.3333333', { feeFixed: '0', feePercent: '0.3', feeMinimum: '0' }).amountFee).toBe(
      '0.1',
    );
    // Beyond 2^53 stroops, where a float would round; the largest Stellar amount (int64 stroops) is the ceiling.
    expect(
      computeFee('922337203685.4775807', { feeFixed: '0', feePercent: '0', feeMinimum: '0' }).amountOut,
    ).toBe('922337203685.4775807');
    expect(() =>
      computeFee('922337203685.4775808', { feeFixed: '0', feePercent: '0', feeMinimum: '0' }),
    ).toThrow(/not a Stellar amount/);
  });

  it('the minimum fee is a floor, and the fee never exceeds the amount', () => {
    expect(computeFee('10', { feeFixed: '0', feePercent: '1', feeMinimum: '2' })).toMatchObject({
      amountFee: '2',
      amountOut: '8',
      breakdown: [{ name: 'Minimum fee', amount: '2' }],
    });
    expect(computeFee('1', { feeFixed: '5', feePercent: '0', feeMinimum: '0' })).toMatchObject({
      amountFee: '1',
      amountOut: '0',
    });
  });

  it('parses, compares and normalizes 7-decimal strings; rejects anything else', () => {
    expect(parseAmount('12.5')).toBe(125_000_000n);
    expect(canonicalAmount('100.0000000')).toBe('100');
    expect(compareAmounts('10', '9.9999999')).toBe(1);
    expect(() => parseAmount('1.12345678')).toThrow(/7 places/);
    expect(() => parseAmount('-1')).toThrow();
    expect(() => parseAmount('1e3')).toThrow();
  });

  it('config: a minimum above the maximum is a clear ConfigError naming the key', () => {
    try {
      loadConfig({ PROFILE: 'sandbox', SEP24_DEPOSIT_MIN_AMOUNT: '500', SEP24_DEPOSIT_MAX_AMOUNT: '100' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues).toContainEqual({
        key: 'SEP24_DEPOSIT_MIN_AMOUNT',
        message: 'must not exceed SEP24_DEPOSIT_MAX_AMOUNT (100)',
      });
    }
    expect(() => loadConfig({ PROFILE: 'sandbox', SEP24_DEPOSIT_FEE_PERCENT: '1.5%' })).toThrow(
      /SEP24_DEPOSIT_FEE_PERCENT/,
    );
  });
});

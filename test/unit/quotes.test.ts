import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  compare,
  div,
  mul,
  parseDecimal,
  type Ratio,
  ratio,
  round,
  sub,
  toDecimalString,
  toFixed,
} from '../../core/quotes/decimal.js';
import { QuoteError } from '../../core/quotes/errors.js';
import { computePrice, type PriceSide } from '../../core/quotes/pricing.js';
import { configuredRateSource, rateProviderFrom } from '../../core/quotes/rates.js';

const USDC: PriceSide = { id: 'stellar:USDC:GISSUER', decimals: 7 };
const BRL: PriceSide = { id: 'iso4217:BRL', decimals: 2 };
const USD: PriceSide = { id: 'iso4217:USD', decimals: 2 };

const d = parseDecimal;
const eq = (a: Ratio, b: Ratio) => compare(a, b) === 0;
/** A decimal string with at most `places` decimals in [min unit, 10^intDigits). */
const amountArb = (places: number, intDigits = 6) =>
  fc
    .bigInt({ min: 1n, max: 10n ** BigInt(intDigits + places) - 1n })
    .map((units) => toDecimalString(ratio(units, 10n ** BigInt(places)), places));
const rateArb = fc.bigInt({ min: 1n, max: 10n ** 12n }).map((n) => toDecimalString(ratio(n, 10n ** 8n), 8)); // 0.00000001 .. 10000
const spreadArb = fc.constantFrom('0', '0.1', '0.5', '1', '1.25', '2.5', '10');

describe('core/quotes/decimal: exact fractions, rounded once', () => {
  it('parses and prints without ever using a float', () => {
    expect(toDecimalString(div(d('1'), d('5.4')), 20)).toBe('0.18518518518518518519');
    expect(toFixed(d('12.5'), 2)).toBe('12.50');
    expect(toDecimalString(d('3.000'), 7)).toBe('3');
    expect(toFixed(add(d('0.1'), d('0.2')), 1)).toBe('0.3');
    expect(toFixed(sub(d('1'), d('1.005')), 3)).toBe('-0.005');
  });

  it('rounds down, up and half-up at the given place', () => {
    expect(toFixed(d('1.234'), 2, 'down')).toBe('1.23');
    expect(toFixed(d('1.231'), 2, 'up')).toBe('1.24');
    expect(toFixed(d('1.235'), 2, 'half-up')).toBe('1.24');
    expect(toFixed(d('1.2349'), 2, 'half-up')).toBe('1.23');
    expect(toFixed(d('2'), 2, 'up')).toBe('2.00');
  });

  it('round-trips every decimal string (property)', () => {
    fc.assert(
      fc.property(amountArb(7, 12), (s) => {
        expect(toDecimalString(d(s), 7)).toBe(s);
      }),
    );
  });

  it('refuses what is not a decimal', () => {
    for (const bad of ['', '1e5', '-1', '1.', '.5', ' 1', '0x10', 'NaN']) expect(() => d(bad)).toThrow();
  });
});

describe('core/quotes/pricing: the S38-06 formulas hold to the last digit', () => {
  /**
   * Every formula of S38-06, and its inverse as the SDF validator checks it (S38-14), must give back the
   * rounded amount exactly: `price` and `total_price` carry enough places for that.
   */
  function checkFormulas(sell: PriceSide, buy: PriceSide, p: ReturnType<typeof computePrice>) {
    const sellAmount = d(p.sell_amount);
    const buyAmount = d(p.buy_amount);
    const fee = d(p.fee.total);
    const price = d(p.price);
    const total = d(p.total_price);
    // sell_amount = total_price × buy_amount
    expect(eq(round(mul(total, buyAmount), sell.decimals, 'half-up'), sellAmount)).toBe(true);
    // fee in sell_asset: sell_amount − fee.total = price × buy_amount
    expect(p.fee.asset).toBe(sell.id);
    expect(eq(round(mul(price, buyAmount), sell.decimals, 'half-up'), sub(sellAmount, fee))).toBe(true);
    // Σ fee.details.amount = fee.total
    const sum = (p.fee.details ?? []).reduce((acc, x) => add(acc, d(x.amount)), ratio(0n));
    expect(eq(sum, fee)).toBe(true);
    // S38-14 (the validator's direction): sell / total_price and (sell − fee) / price give buy_amount back.
    expect(eq(round(div(sellAmount, total), buy.decimals, 'half-up'), buyAmount)).toBe(true);
    expect(eq(round(div(sub(sellAmount, fee), price), buy.decimals, 'half-up'), buyAmount)).toBe(true);
    // Amounts on their asset's grid, positive, and the price at least 12 significant digits when not exact.
    expect(p.sell_amount).toMatch(new RegExp(`^\\d+(\\.\\d{1,${sell.decimals}})?$`));
    expect(p.buy_amount).toMatch(new RegExp(`^\\d+(\\.\\d{1,${buy.decimals}})?$`));
    expect(compare(buyAmount, ratio(0n))).toBe(1);
    expect(compare(fee, ratio(0n))).toBeGreaterThanOrEqual(0);
  }

  it('S38-06, S38-14: sell_amount fixed — the client amount is kept, every formula holds (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom([BRL, USDC], [USDC, BRL], [USD, USDC], [USDC, USD]),
        rateArb,
        spreadArb,
        fc.nat(),
        ([sell, buy], rate, spread, seed) => {
          const sellAmount = toDecimalString(
            ratio(BigInt(seed % 10 ** 9) + 1n, 10n ** BigInt(sell!.decimals)),
            sell!.decimals,
          );
          let p: ReturnType<typeof computePrice>;
          try {
            p = computePrice({ sell: sell!, buy: buy!, mid: d(rate), spreadPercent: spread, sellAmount });
          } catch (err) {
            expect(err).toBeInstanceOf(QuoteError);
            expect((err as QuoteError).code).toBe('amount_too_small');
            return;
          }
          expect(p.sell_amount).toBe(sellAmount);
          checkFormulas(sell!, buy!, p);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('S38-06, S38-14: buy_amount fixed — the client amount is kept, every formula holds (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom([BRL, USDC], [USDC, BRL], [USD, USDC], [USDC, USD]),
        rateArb,
        spreadArb,
        fc.nat(),
        ([sell, buy], rate, spread, seed) => {
          const buyAmount = toDecimalString(
            ratio(BigInt(seed % 10 ** 9) + 1n, 10n ** BigInt(buy!.decimals)),
            buy!.decimals,
          );
          const p = computePrice({ sell: sell!, buy: buy!, mid: d(rate), spreadPercent: spread, buyAmount });
          expect(p.buy_amount).toBe(buyAmount);
          checkFormulas(sell!, buy!, p);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('S38-06: a worked example — 100 BRL at 5.4 BRL/USDC with a 1 % spread', () => {
    const p = computePrice({ sell: BRL, buy: USDC, mid: d('5.4'), spreadPercent: '1', sellAmount: '100' });
    expect(p.sell_amount).toBe('100');
    expect(p.fee).toEqual({
      total: '1',
      asset: BRL.id,
      details: [{ name: 'Spread', description: '1 % of the sell amount', amount: '1' }],
    });
    // 99 BRL / 5.4 = 18.3333333… USDC, rounded down to stroops.
    expect(p.buy_amount).toBe('18.3333333');
    expect(p.price.startsWith('5.40000000')).toBe(true);
    expect(p.total_price.startsWith('5.4545454')).toBe(true);
  });

  it('A-16: the sandbox spread makes a non-zero fee; a zero spread is still legal', () => {
    const p = computePrice({
      sell: USDC,
      buy: BRL,
      mid: div(ratio(1n), d('5.4')),
      spreadPercent: '0',
      sellAmount: '10',
    });
    expect(p.fee.total).toBe('0');
    expect(p.buy_amount).toBe('54');
    expect(p.price).toBe(p.total_price);
  });

  it('refuses amounts finer than the asset, zero, and amounts that buy nothing', () => {
    const base = { sell: BRL, buy: USDC, mid: d('5.4'), spreadPercent: '1' };
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as QuoteError).code;
      }
      return 'ok';
    };
    expect(code(() => computePrice({ ...base, sellAmount: '1.001' }))).toBe('invalid_amount');
    expect(code(() => computePrice({ ...base, sellAmount: '0' }))).toBe('invalid_amount');
    expect(code(() => computePrice({ ...base, sellAmount: '1e3' }))).toBe('invalid_amount');
    expect(code(() => computePrice({ ...base, sellAmount: '1', buyAmount: '1' }))).toBe('invalid_amount');
    expect(
      code(() => computePrice({ ...base, sell: USDC, buy: BRL, mid: d('1000'), sellAmount: '0.0000001' })),
    ).toBe('amount_too_small');
  });
});

describe('core/quotes/rates: the provider interface', () => {
  it('inverts a pair quoted the other way round exactly, and knows no other pairs', async () => {
    const provider = rateProviderFrom(configuredRateSource(USDC.id, { 'iso4217:BRL': '5.4' }));
    expect(toDecimalString((await provider.midPrice({ sell: BRL.id, buy: USDC.id }))!, 7)).toBe('5.4');
    const inverse = (await provider.midPrice({ sell: USDC.id, buy: BRL.id }))!;
    expect(eq(mul(inverse, d('5.4')), ratio(1n))).toBe(true);
    expect(await provider.midPrice({ sell: USD.id, buy: USDC.id })).toBeNull();
  });

  it('a real provider plugs in as a RateSource; a moved rate is seen at once', async () => {
    const source = configuredRateSource(USDC.id, { 'iso4217:BRL': '5.4' });
    const provider = rateProviderFrom(source);
    source.set('iso4217:BRL', '5.5');
    expect(toDecimalString((await provider.midPrice({ sell: BRL.id, buy: USDC.id }))!, 7)).toBe('5.5');
    const feed = rateProviderFrom({ name: 'feed', rate: async () => 'garbage' });
    await expect(feed.midPrice({ sell: BRL.id, buy: USDC.id })).rejects.toThrow(/malformed/);
  });
});

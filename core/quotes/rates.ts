import { div, isDecimalString, isPositive, ONE, parseDecimal, type Ratio } from './decimal.js';

/**
 * Where prices come from. The pricing (core/quotes/pricing.ts) only needs a mid-market price per pair; the
 * spread and rounding are the anchor's own. A real provider (an FX desk, an exchange API) plugs in as a
 * `RateSource`: one call answering "how many `counter` is one `base` worth", the way markets quote pairs.
 * `rateProviderFrom()` turns it into the provider the quote service uses, inverting pairs quoted the other
 * way round with exact fractions (1 / 5.4 never becomes a float).
 */

export interface RateSource {
  readonly name: string;
  /** Units of `counter` one unit of `base` is worth at mid-market, as a decimal string; null if not quoted. */
  rate(base: string, counter: string): Promise<string | null>;
}

export interface RateProvider {
  readonly name: string;
  /** Units of `sell` one unit of `buy` costs at mid-market, or null when the pair is not priced. */
  midPrice(pair: { sell: string; buy: string }): Promise<Ratio | null>;
}

export function rateProviderFrom(source: RateSource): RateProvider {
  const read = async (base: string, counter: string): Promise<Ratio | null> => {
    const r = await source.rate(base, counter);
    if (r === null) return null;
    if (!isDecimalString(r)) throw new Error(`rate source ${source.name} returned a malformed rate`);
    const value = parseDecimal(r);
    return isPositive(value) ? value : null;
  };
  return {
    name: source.name,
    async midPrice({ sell, buy }) {
      // One `buy` is worth `rate(buy, sell)` of `sell`; failing that, the inverse of the other quotation.
      const direct = await read(buy, sell);
      if (direct) return direct;
      const inverse = await read(sell, buy);
      return inverse ? div(ONE, inverse) : null;
    },
  };
}

/**
 * The configured provider (SEP38_MID_RATES): fixed mid rates of each off-chain asset against the anchor's
 * Stellar asset. The sandbox's default; an operator without a market feed may also run it and move the
 * rates by changing the key. `set()` moves one rate in place (tests, a future admin route).
 */
export function configuredRateSource(
  stellarAssetId: string,
  midRates: Readonly<Record<string, string>>,
): RateSource & { set(offchainAsset: string, rate: string): void } {
  const rates = new Map(Object.entries(midRates));
  return {
    name: 'configured',
    async rate(base, counter) {
      if (base !== stellarAssetId) return null;
      return rates.get(counter) ?? null;
    },
    set(offchainAsset, rate) {
      if (!isDecimalString(rate) || !isPositive(parseDecimal(rate))) throw new RangeError('rate must be > 0');
      rates.set(offchainAsset, rate);
    },
  };
}

import {
  add,
  compare,
  decimalPlaces,
  div,
  integerDigits,
  isDecimalString,
  isPositive,
  mul,
  parseDecimal,
  type Ratio,
  ratio,
  round,
  sub,
  toDecimalString,
} from './decimal.js';
import { QuoteError } from './errors.js';

/**
 * The SEP-38 price of one trade (S38-05, S38-06). The client fixes one amount; the other follows from the mid
 * price and the spread, charged as a fee in the sell asset (A-17: the validator's math check only works that way,
 * and the amount the client fixed is never changed).
 *
 * Amounts are rounded first, in the anchor's favour (the fee up, the amount the user receives down, the amount
 * the user pays up), on each asset's own decimals. `price` and `total_price` are then derived from the rounded
 * amounts with enough places that every S38-06 formula, and its inverse the validator checks (S38-14), gives
 * back the amounts to their last digit.
 */

export interface PriceSide {
  id: string;
  decimals: number;
}

export interface PriceInput {
  sell: PriceSide;
  buy: PriceSide;
  /** Units of the sell asset one unit of the buy asset costs at mid-market (no fee). */
  mid: Ratio;
  /** Percentage points ('1' is 1 %) of the sell amount, charged as the fee. */
  spreadPercent: string;
  sellAmount?: string;
  buyAmount?: string;
}

export interface FeeDetail {
  name: string;
  description?: string;
  amount: string;
}

/** The wire body of GET /price (S38-05); firm quotes add id, assets, methods and expiry (S38-07). */
export interface Sep38Price {
  total_price: string;
  price: string;
  sell_amount: string;
  buy_amount: string;
  fee: { total: string; asset: string; details?: FeeDetail[] };
}

const HUNDRED = ratio(100n);

/** Checks an amount the client sent: a positive decimal with no more places than the asset has. */
export function parseAmountFor(name: string, side: PriceSide, amount: string): Ratio {
  if (!isDecimalString(amount)) {
    throw new QuoteError('invalid_amount', `${name} must be a positive decimal number as a string`);
  }
  if (decimalPlaces(amount) > side.decimals) {
    throw new QuoteError(
      'invalid_amount',
      `${name} has more than the ${side.decimals} decimal places ${side.id} allows`,
    );
  }
  const value = parseDecimal(amount);
  if (!isPositive(value)) throw new QuoteError('invalid_amount', `${name} must be greater than zero`);
  return value;
}

/**
 * Places for `price`/`total_price`: enough that `round(price × buy, sellDecimals)` and
 * `round(sell / price, buyDecimals)` both give the amounts back. The error of a price rounded to P places is
 * at most ½·10^-P; times buy (< 10^D) it stays under ½ a unit of the sell side when P ≥ sellDecimals + D, and
 * divided into sell it moves buy by at most ½·10^-P·buy²/sell ≤ ½·10^-(P - 2D - sellDecimals), under ½ a unit
 * of the buy side when P > buyDecimals + 2D + sellDecimals. At least 16 places (S38-14: ≥ 12 significant).
 */
export function pricePlaces(sell: PriceSide, buy: PriceSide, buyAmount: Ratio): number {
  const d = integerDigits(buyAmount);
  return Math.max(16, sell.decimals + buy.decimals + 2 * d + 1);
}

export function computePrice(input: PriceInput): Sep38Price {
  const { sell, buy, mid } = input;
  if (!isPositive(mid)) throw new QuoteError('no_rate', `no price for ${buy.id} in ${sell.id}`);
  const spread = div(parseDecimal(input.spreadPercent), HUNDRED);
  if (compare(spread, ratio(1n)) >= 0) throw new RangeError('spread must be below 100 %');
  if ((input.sellAmount === undefined) === (input.buyAmount === undefined)) {
    throw new QuoteError('invalid_amount', 'send exactly one of sell_amount and buy_amount');
  }

  let sellAmount: Ratio;
  let buyAmount: Ratio;
  let fee: Ratio;
  if (input.sellAmount !== undefined) {
    sellAmount = parseAmountFor('sell_amount', sell, input.sellAmount);
    fee = round(mul(sellAmount, spread), sell.decimals, 'up');
    buyAmount = round(div(sub(sellAmount, fee), mid), buy.decimals, 'down');
  } else {
    buyAmount = parseAmountFor('buy_amount', buy, input.buyAmount!);
    const net = round(mul(buyAmount, mid), sell.decimals, 'up');
    // The same spread of the (gross) sell amount as above: fee = net · s / (1 − s).
    fee = round(div(mul(net, spread), sub(ratio(1n), spread)), sell.decimals, 'up');
    sellAmount = add(net, fee);
  }
  if (!isPositive(buyAmount) || !isPositive(sub(sellAmount, fee))) {
    throw new QuoteError(
      'amount_too_small',
      `the amount is too small: after the fee it buys less than one unit of ${buy.id}`,
    );
  }

  const places = pricePlaces(sell, buy, buyAmount);
  const fmt = (r: Ratio, p: number) => toDecimalString(r, p);
  const total = fmt(fee, sell.decimals);
  return {
    total_price: fmt(div(sellAmount, buyAmount), places),
    price: fmt(div(sub(sellAmount, fee), buyAmount), places),
    sell_amount: fmt(sellAmount, sell.decimals),
    buy_amount: fmt(buyAmount, buy.decimals),
    fee: {
      total,
      asset: sell.id,
      details: [
        {
          name: 'Spread',
          description: `${toDecimalString(mul(spread, HUNDRED), 7)} % of the sell amount`,
          amount: total,
        },
      ],
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { findQuoteForSub, insertQuote } from '../../db/quotes.js';
import type { QuoteRow } from '../../db/schema.js';
import {
  checkDeliveryMethod,
  type DeliveryMethod,
  findAsset,
  type QuoteAsset,
  quoteAssets,
} from './assets.js';
import { QuoteError } from './errors.js';
import { computePrice, type Sep38Price } from './pricing.js';
import { configuredRateSource, type RateProvider, rateProviderFrom } from './rates.js';

/**
 * SEP-38 without HTTP: what /info, /prices, /price and /quote answer (S38-03..08). The API validates shapes
 * with zod; the rules (which pairs, which amounts, how long a quote lives, who may read it) live here.
 */

export type QuoteContext = 'sep6' | 'sep24' | 'sep31';

export interface QuoteServiceConfig {
  stellar: { assetCode: string; issuerAccount: string | null };
  sep38: {
    offchainAssets: readonly string[];
    midRates: Readonly<Record<string, string>>;
    spreadPercent: string;
    quoteTtlSeconds: number;
  };
}

export interface PriceRequest {
  sellAsset: string;
  buyAsset: string;
  sellAmount?: string;
  buyAmount?: string;
  sellDeliveryMethod?: string;
  buyDeliveryMethod?: string;
  context?: string;
}

export interface PricesRequest {
  sellAsset?: string;
  sellAmount?: string;
  buyAsset?: string;
  buyAmount?: string;
  sellDeliveryMethod?: string;
  buyDeliveryMethod?: string;
}

export interface Sep38Quote extends Sep38Price {
  id: string;
  expires_at: string;
  sell_asset: string;
  buy_asset: string;
  sell_delivery_method?: string;
  buy_delivery_method?: string;
}

export interface InfoAsset {
  asset: string;
  sell_delivery_methods?: DeliveryMethod[];
  buy_delivery_methods?: DeliveryMethod[];
}

/** The sandbox default: the configured mid rates (SEP38_MID_RATES). */
export function configuredRateProvider(config: QuoteServiceConfig): RateProvider {
  const stellar = quoteAssets({ ...config, sep38: config.sep38 })[0]!;
  return rateProviderFrom(configuredRateSource(stellar.id, config.sep38.midRates));
}

/** Quotes are offered for sep6 and sep24 transfers; this anchor runs no SEP-31 (A-06: sep24 on /price too). */
export function checkContext(context: string | undefined, required: boolean): QuoteContext | undefined {
  if (context === undefined || context === '') {
    if (required) throw new QuoteError('invalid_context', 'context is required: sep6 or sep24');
    return undefined;
  }
  if (context === 'sep6' || context === 'sep24') return context;
  if (context === 'sep31') {
    throw new QuoteError(
      'invalid_context',
      'context sep31 is not supported: this anchor serves SEP-6 and SEP-24',
    );
  }
  throw new QuoteError('invalid_context', 'context must be sep6 or sep24');
}

export function createQuoteService(
  config: QuoteServiceConfig,
  rates: RateProvider = configuredRateProvider(config),
) {
  const assets = quoteAssets(config);
  const ttlMs = config.sep38.quoteTtlSeconds * 1000;

  /** Stellar ↔ off-chain only; both sides checked, and the delivery methods against each side. */
  const pair = (req: PriceRequest) => {
    const sell = findAsset(assets, 'sell_asset', req.sellAsset);
    const buy = findAsset(assets, 'buy_asset', req.buyAsset);
    if (sell.kind === buy.kind) {
      throw new QuoteError(
        'unsupported_pair',
        `${sell.id} → ${buy.id} is not offered: quotes convert between the Stellar asset and an off-chain one`,
      );
    }
    return {
      sell,
      buy,
      sellDeliveryMethod: checkDeliveryMethod('sell_delivery_method', sell, req.sellDeliveryMethod),
      buyDeliveryMethod: checkDeliveryMethod('buy_delivery_method', buy, req.buyDeliveryMethod),
    };
  };

  const priceOf = async (
    sell: QuoteAsset,
    buy: QuoteAsset,
    amounts: { sellAmount?: string; buyAmount?: string },
  ) => {
    const mid = await rates.midPrice({ sell: sell.id, buy: buy.id });
    if (!mid) throw new QuoteError('no_rate', `no price is available for ${sell.id} → ${buy.id} right now`);
    return computePrice({
      sell: { id: sell.id, decimals: sell.decimals },
      buy: { id: buy.id, decimals: buy.decimals },
      mid,
      spreadPercent: config.sep38.spreadPercent,
      ...amounts,
    });
  };

  const amountsOf = (req: { sellAmount?: string; buyAmount?: string }) => {
    const hasSell = req.sellAmount !== undefined && req.sellAmount !== '';
    const hasBuy = req.buyAmount !== undefined && req.buyAmount !== '';
    if (hasSell === hasBuy)
      throw new QuoteError('invalid_amount', 'send exactly one of sell_amount and buy_amount');
    return hasSell ? { sellAmount: req.sellAmount! } : { buyAmount: req.buyAmount! };
  };

  return {
    assets,

    /** GET /info (S38-03, S38-10): Stellar entries carry no delivery-method or country keys at all. */
    info(): { assets: InfoAsset[] } {
      return {
        assets: assets.map((a) =>
          a.kind === 'stellar'
            ? { asset: a.id }
            : {
                asset: a.id,
                sell_delivery_methods: a.deliveryMethods,
                buy_delivery_methods: a.deliveryMethods,
              },
        ),
      };
    },

    /**
     * GET /prices (S38-04): one complete side. A-15: a lone `buy_asset` beside a complete sell side filters the
     * answer (and the same the other way round); an asset that pairs with nothing gives an empty list, not 400.
     */
    async prices(req: PricesRequest) {
      const hasSell = !!req.sellAsset && !!req.sellAmount;
      const hasBuy = !!req.buyAsset && !!req.buyAmount;
      if (hasSell === hasBuy) {
        throw new QuoteError(
          'invalid_amount',
          'send exactly one of sell_asset with sell_amount, or buy_asset with buy_amount',
        );
      }
      if (hasSell) {
        const sell = findAsset(assets, 'sell_asset', req.sellAsset!);
        checkDeliveryMethod('sell_delivery_method', sell, req.sellDeliveryMethod);
        const filter = req.buyAsset ? findAsset(assets, 'buy_asset', req.buyAsset).id : undefined;
        const out = [];
        for (const buy of assets) {
          if (buy.kind === sell.kind || (filter && buy.id !== filter)) continue;
          checkDeliveryMethodFor(buy, req.buyDeliveryMethod);
          const p = await priceOf(sell, buy, { sellAmount: req.sellAmount! });
          out.push({ asset: buy.id, price: p.total_price, decimals: buy.decimals });
        }
        return { buy_assets: out };
      }
      const buy = findAsset(assets, 'buy_asset', req.buyAsset!);
      checkDeliveryMethod('buy_delivery_method', buy, req.buyDeliveryMethod);
      const filter = req.sellAsset ? findAsset(assets, 'sell_asset', req.sellAsset).id : undefined;
      const out = [];
      for (const sell of assets) {
        if (sell.kind === buy.kind || (filter && sell.id !== filter)) continue;
        checkDeliveryMethodFor(sell, req.sellDeliveryMethod);
        const p = await priceOf(sell, buy, { buyAmount: req.buyAmount! });
        out.push({ asset: sell.id, price: p.total_price, decimals: sell.decimals });
      }
      return { sell_assets: out };
    },

    /** GET /price (S38-05, S38-13): only the five price keys, no echoed assets or context. */
    async price(req: PriceRequest): Promise<Sep38Price> {
      checkContext(req.context, true);
      const p = pair(req);
      return priceOf(p.sell, p.buy, amountsOf(req));
    },

    /** POST /quote (S38-07): priced now, stored with its owner, valid until `expires_at`. */
    async createQuote(
      db: Db,
      sub: string,
      req: PriceRequest & { expireAfter?: string },
      now = new Date(),
    ): Promise<Sep38Quote> {
      const context = checkContext(req.context, true)!;
      const p = pair(req);
      const expiresAt = new Date(now.getTime() + ttlMs);
      if (req.expireAfter !== undefined && req.expireAfter !== '') {
        const wanted = new Date(req.expireAfter);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(req.expireAfter) || Number.isNaN(wanted.getTime())) {
          throw new QuoteError('invalid_expiry', 'expire_after must be an ISO 8601 date-time');
        }
        if (wanted.getTime() > expiresAt.getTime()) {
          throw new QuoteError(
            'invalid_expiry',
            `expire_after is too far ahead: quotes are held for at most ${config.sep38.quoteTtlSeconds} seconds`,
          );
        }
      }
      const priced = await priceOf(p.sell, p.buy, amountsOf(req));
      // Whole milliseconds dropped: the stored timestamp and the answer are the same instant, to the second.
      expiresAt.setUTCMilliseconds(0);
      const row = await insertQuote(db, {
        id: randomUUID(),
        sub,
        context,
        sell_asset: p.sell.id,
        sell_amount: priced.sell_amount,
        sell_delivery_method: p.sellDeliveryMethod ?? null,
        buy_asset: p.buy.id,
        buy_amount: priced.buy_amount,
        buy_delivery_method: p.buyDeliveryMethod ?? null,
        price: priced.price,
        total_price: priced.total_price,
        fee: JSON.stringify(priced.fee),
        expires_at: expiresAt,
      });
      return quoteBody(row);
    },

    /** GET /quote/:id (S38-08, S38-16): the owner's quote, also after it expired; anyone else's is missing. */
    async getQuote(db: Db, sub: string, id: string): Promise<Sep38Quote | null> {
      const row = await findQuoteForSub(db, sub, id);
      return row ? quoteBody(row) : null;
    },
  };
}

/** The wire body of a stored quote: the same strings as when it was issued (S38-16). */
export function quoteBody(row: QuoteRow): Sep38Quote {
  return {
    id: row.id,
    expires_at: row.expires_at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    total_price: row.total_price,
    price: row.price,
    sell_asset: row.sell_asset,
    sell_amount: row.sell_amount,
    ...(row.sell_delivery_method ? { sell_delivery_method: row.sell_delivery_method } : {}),
    buy_asset: row.buy_asset,
    buy_amount: row.buy_amount,
    ...(row.buy_delivery_method ? { buy_delivery_method: row.buy_delivery_method } : {}),
    fee: row.fee,
  };
}

/** /prices lists every counter-asset; a delivery method given for the other side only has to fit off-chain ones. */
function checkDeliveryMethodFor(asset: QuoteAsset, method: string | undefined): void {
  if (asset.kind === 'offchain') checkDeliveryMethod('delivery method', asset, method);
}

export type QuoteService = ReturnType<typeof createQuoteService>;

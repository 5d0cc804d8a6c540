import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { AppConfig } from '../config/index.js';
import { QuoteError } from '../core/quotes/errors.js';
import { createQuoteService } from '../core/quotes/service.js';
import { REQUOTE_FIELDS } from '../core/transfers/sep6-wire.js';
import type { Db } from '../db/index.js';
import { insertQuoteOnce } from '../db/quotes.js';
import type { TransferFee } from '../db/schema.js';
import { getTransaction, updateTransaction } from '../db/transactions.js';

/**
 * Conversions priced while a transfer runs: a SEP-6 `-exchange` (or SEP-24 transfer naming an off-chain asset)
 * without a firm quote is converted at the rate of the moment its funds arrive (S6-08). The same rate provider
 * and spread as SEP-38 /price, so a wallet's indicative price and the conversion agree.
 */

export interface PricedConversion {
  sellAmount: string;
  buyAmount: string;
  fee: TransferFee;
}

/** Failure type of a conversion the price rules refuse (too small to buy anything, no rate): not retried. */
export const CONVERSION_REFUSED = 'ConversionRefused';

/** A requote offered to the user: a firm quote reserved to the transaction, valid until `expiresAt`. */
export interface RequoteOffer extends PricedConversion {
  quoteId: string;
  expiresAt: string;
}

/** The requote's quote id, fixed by the transaction (UUID-shaped), so a retried activity offers the same one. */
export function requoteId(transactionId: string): string {
  const h = createHash('sha256').update(`requote:${transactionId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createQuoteActivities(deps: { config: AppConfig; db: Db }) {
  const { config, db } = deps;
  const quotes = createQuoteService(config);
  const refused = (err: unknown): never => {
    if (err instanceof QuoteError && err.code !== 'no_rate') {
      throw ApplicationFailure.nonRetryable(err.message, CONVERSION_REFUSED);
    }
    throw err;
  };
  return {
    /**
     * SEP38_EXPIRED_QUOTE_RULE=requote: funds came after their quote expired. Prices `sellAmount` now, stores the
     * price as a new firm quote owned by the transaction's user and reserved to it (GET /quote/:id shows it), makes
     * it the transaction's `quote_id`, and asks for the user's answer (`required_info_updates.accept_quote`).
     * Idempotent: the quote id is fixed by the transaction, and a retry returns the quote first offered.
     */
    async offerRequote(input: {
      transactionId: string;
      sellAsset: string;
      buyAsset: string;
      sellAmount: string;
    }): Promise<RequoteOffer> {
      const row = await getTransaction(db, input.transactionId);
      if (!row) throw new Error(`transaction ${input.transactionId} not found`);
      const price = await quotes
        .price({
          sellAsset: input.sellAsset,
          buyAsset: input.buyAsset,
          sellAmount: input.sellAmount,
          context: row.protocol,
        })
        .catch(refused);
      const now = new Date();
      const expiresAt = new Date(now.getTime() + config.sep38.quoteTtlSeconds * 1000);
      expiresAt.setUTCMilliseconds(0);
      const quote = await insertQuoteOnce(db, {
        id: requoteId(input.transactionId),
        sub: row.sub,
        context: row.protocol,
        sell_asset: input.sellAsset,
        sell_amount: price.sell_amount,
        sell_delivery_method: null,
        buy_asset: input.buyAsset,
        buy_amount: price.buy_amount,
        buy_delivery_method: null,
        price: price.price,
        total_price: price.total_price,
        fee: JSON.stringify(price.fee),
        expires_at: expiresAt,
        transaction_id: input.transactionId,
        reserved_at: now,
      });
      await updateTransaction(db, input.transactionId, {
        quote_id: quote.id,
        required_info_updates: JSON.stringify(REQUOTE_FIELDS),
      });
      return {
        quoteId: quote.id,
        expiresAt: quote.expires_at.toISOString(),
        sellAmount: quote.sell_amount,
        buyAmount: quote.buy_amount,
        fee: quote.fee,
      };
    },

    /** The price of selling `sellAmount` of `sellAsset` for `buyAsset` now. */
    async priceConversion(input: {
      sellAsset: string;
      buyAsset: string;
      sellAmount: string;
    }): Promise<PricedConversion> {
      try {
        const p = await quotes.price({
          sellAsset: input.sellAsset,
          buyAsset: input.buyAsset,
          sellAmount: input.sellAmount,
          context: 'sep6',
        });
        return { sellAmount: p.sell_amount, buyAmount: p.buy_amount, fee: p.fee };
      } catch (err) {
        return refused(err);
      }
    },
  };
}

export type QuoteActivities = ReturnType<typeof createQuoteActivities>;

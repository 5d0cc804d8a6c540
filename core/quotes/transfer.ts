import type { Db } from '../../db/index.js';
import { findQuoteForSub, reserveQuote } from '../../db/quotes.js';
import type { QuoteRow, TransferFee } from '../../db/schema.js';
import { findAsset, type QuoteAsset, quoteAssets, stellarAssetId } from './assets.js';
import { compare, decimalPlaces, isDecimalString, parseDecimal } from './decimal.js';
import type { QuoteContext } from './service.js';

/**
 * Quotes in transfers (S24-10, S24-15, S6-08): which conversion a deposit or withdrawal makes, checked against
 * the firm quote it names, and the quote reserved to it in the same database transaction as the transfer row.
 * A transfer without a quote but with an off-chain asset other than the one the Stellar asset mirrors converts
 * at the rate of the moment the funds arrive (SEP-6 `-exchange` without `quote_id`).
 */

/** A conversion a transfer makes; carried in the workflow input (JSON, so plain strings). */
export interface TransferConversion {
  /** SEP-38 ids: a deposit sells the off-chain asset and buys the Stellar one, a withdrawal the reverse. */
  sellAsset: string;
  buyAsset: string;
  /** The firm quote the transfer honours; null: priced when the funds arrive. */
  quote: {
    id: string;
    /** ISO 8601: funds that arrive at or after it are not converted at the quoted price. */
    expiresAt: string;
    sellAmount: string;
    buyAmount: string;
    fee: TransferFee;
  } | null;
  /**
   * Funds that arrive after the quote expired (SEP38_EXPIRED_QUOTE_RULE when the transfer started): refunded, or
   * requoted at the current price and converted only if the user accepts. Absent: refund.
   */
  onExpiry?: 'refund' | 'requote';
}

/** Why a transfer's quote or assets were refused: the API answers 400 `{"error"}` with the message. */
export class TransferQuoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransferQuoteError';
  }
}

export interface ConversionConfig {
  stellar: { assetCode: string; issuerAccount: string | null };
  sep38: {
    enabled: boolean;
    offchainAssets: readonly string[];
    expiredQuoteRule?: 'refund' | 'requote';
  };
}

/** The off-chain asset the Stellar asset mirrors 1:1 (USDC → iso4217:USD): a transfer in it converts nothing. */
export function mirroredFiatAsset(assetCode: string): string {
  return `iso4217:${assetCode.slice(0, 3).toUpperCase()}`;
}

/** The currency code of an `iso4217:CCY` id (BRL), or null for anything else. */
export function currencyOf(assetId: string | null | undefined): string | null {
  const m = assetId ? /^iso4217:([A-Z]{3})$/.exec(assetId) : null;
  return m ? m[1]! : null;
}

export interface ConversionRequest {
  direction: 'deposit' | 'withdrawal';
  context: QuoteContext;
  /** The SEP-10 sub: only the owner's quotes can be used (another user's reads as unknown). */
  sub: string;
  quoteId?: string | undefined;
  /** The off-chain side the wallet named: `source_asset` of a deposit, `destination_asset` of a withdrawal. */
  offchainAsset?: string | undefined;
  /** The amount the wallet named: in the sell asset (what the user sends). */
  amount?: string | null | undefined;
  /** SEP-6 `-exchange` kinds must convert (S6-08): the off-chain asset is then required. */
  exchange?: boolean;
}

/**
 * The conversion a transfer request asks for, or null when it converts nothing (no quote, and the off-chain
 * asset absent or the one the Stellar asset mirrors). Reads the quote; it is reserved by reserveTransferQuote()
 * together with the transfer row.
 */
export async function resolveConversion(
  db: Db,
  config: ConversionConfig,
  req: ConversionRequest,
  now = new Date(),
): Promise<TransferConversion | null> {
  const assets = quoteAssets(config);
  const stellar = stellarAssetId(config.stellar.assetCode, config.stellar.issuerAccount);
  const sideName = req.direction === 'deposit' ? 'source_asset' : 'destination_asset';
  const offchain = req.offchainAsset ? offchainAsset(config, assets, sideName, req.offchainAsset) : null;

  // S6-08: an -exchange names its off-chain asset, with a quote too.
  if (req.exchange && !offchain) throw new TransferQuoteError(`${sideName} is required`);
  if (!req.quoteId) {
    if (!offchain || (offchain.id === mirroredFiatAsset(config.stellar.assetCode) && !req.exchange)) {
      return null;
    }
    if (!config.sep38.enabled) {
      throw new TransferQuoteError(
        `${sideName} ${offchain.id} needs a conversion, and this anchor quotes none`,
      );
    }
    // The user sends the off-chain amount as the bank can book it: BRL has 2 decimals, so 1.005 BRL can never
    // arrive as announced.
    if (
      req.direction === 'deposit' &&
      req.amount &&
      isDecimalString(req.amount) &&
      // Trailing zeros are not precision: 540.000 BRL is 540.00 BRL.
      decimalPlaces(req.amount.includes('.') ? req.amount.replace(/\.?0+$/, '') : req.amount) >
        offchain.decimals
    ) {
      throw new TransferQuoteError(
        `amount ${req.amount} has more decimal places than ${offchain.id} has (${offchain.decimals})`,
      );
    }
    return req.direction === 'deposit'
      ? { sellAsset: offchain.id, buyAsset: stellar, quote: null }
      : { sellAsset: stellar, buyAsset: offchain.id, quote: null };
  }

  if (!config.sep38.enabled)
    throw new TransferQuoteError('quote_id is not supported: this anchor offers no SEP-38 quotes');
  if (!/^[A-Za-z0-9-]{1,64}$/.test(req.quoteId)) throw new TransferQuoteError('quote_id is not a quote id');
  const quote = await findQuoteForSub(db, req.sub, req.quoteId);
  // S24-10 IMPL: an unknown or another user's quote is the same 400 (nothing says which ids exist).
  if (!quote) throw new TransferQuoteError(`quote_id ${req.quoteId} is not a quote of this account`);
  checkQuoteUsable(quote, req, now);

  const [stellarSide, offchainSide, stellarName] =
    req.direction === 'deposit'
      ? [quote.buy_asset, quote.sell_asset, 'buy_asset']
      : [quote.sell_asset, quote.buy_asset, 'sell_asset'];
  if (stellarSide !== stellar) {
    throw new TransferQuoteError(
      `the quote's ${stellarName} is ${stellarSide}, not ${stellar}: a ${req.direction} of ${config.stellar.assetCode} ${req.direction === 'deposit' ? 'buys' : 'sells'} it`,
    );
  }
  if (offchain && offchain.id !== offchainSide) {
    throw new TransferQuoteError(`${sideName} ${offchain.id} conflicts with the quote's ${offchainSide}`);
  }
  if (req.amount !== undefined && req.amount !== null && req.amount !== '') {
    if (
      !isDecimalString(req.amount) ||
      compare(parseDecimal(req.amount), parseDecimal(quote.sell_amount)) !== 0
    ) {
      throw new TransferQuoteError(
        `amount ${req.amount} conflicts with the quote's sell_amount ${quote.sell_amount}`,
      );
    }
  }
  return {
    sellAsset: quote.sell_asset,
    buyAsset: quote.buy_asset,
    onExpiry: config.sep38.expiredQuoteRule ?? 'refund',
    quote: {
      id: quote.id,
      expiresAt: quote.expires_at.toISOString(),
      sellAmount: quote.sell_amount,
      buyAmount: quote.buy_amount,
      fee: quote.fee,
    },
  };
}

function checkQuoteUsable(quote: QuoteRow, req: ConversionRequest, now: Date): void {
  if (quote.transaction_id !== null) {
    throw new TransferQuoteError(`quote_id ${quote.id} is already used by another transaction`);
  }
  if (quote.expires_at.getTime() <= now.getTime()) {
    throw new TransferQuoteError(
      `quote_id ${quote.id} expired at ${quote.expires_at.toISOString()}: request a new one (POST /quote)`,
    );
  }
  if (quote.context !== req.context) {
    throw new TransferQuoteError(`quote_id ${quote.id} was issued for ${quote.context}, not ${req.context}`);
  }
}

function offchainAsset(
  config: ConversionConfig,
  assets: readonly QuoteAsset[],
  name: string,
  id: string,
): QuoteAsset {
  // The mirrored fiat (iso4217:USD for USDC) is always accepted, with or without SEP-38.
  if (id === mirroredFiatAsset(config.stellar.assetCode)) {
    return { id, kind: 'offchain', decimals: 2, deliveryMethods: [] };
  }
  let asset: QuoteAsset;
  try {
    asset = findAsset(assets, name, id);
  } catch (err) {
    throw new TransferQuoteError((err as Error).message);
  }
  if (asset.kind !== 'offchain')
    throw new TransferQuoteError(`${name} must be an off-chain asset (iso4217:CCY)`);
  return asset;
}

/**
 * Binds the quote to the new transfer inside the caller's database transaction (with the row insert): one quote
 * pays for one transfer, and a quote that expired or was taken in the meantime refuses the whole request.
 */
export async function reserveTransferQuote(
  trx: Parameters<typeof reserveQuote>[0],
  conversion: TransferConversion | null,
  t: { sub: string; transactionId: string; now?: Date },
): Promise<void> {
  if (!conversion?.quote) return;
  const outcome = await reserveQuote(trx, {
    id: conversion.quote.id,
    sub: t.sub,
    transactionId: t.transactionId,
    now: t.now ?? new Date(),
  });
  if (!outcome.ok) {
    throw new TransferQuoteError(
      outcome.reason === 'expired'
        ? `quote_id ${conversion.quote.id} expired: request a new one (POST /quote)`
        : outcome.reason === 'used'
          ? `quote_id ${conversion.quote.id} is already used by another transaction`
          : `quote_id ${conversion.quote.id} is not a quote of this account`,
    );
  }
}

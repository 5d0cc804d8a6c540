import type { Workflow } from '@temporalio/client';
import type { AppConfig, Sep24AssetOperation } from '../config/index.js';
import {
  type ConversionRequest,
  reserveTransferQuote,
  resolveConversion,
  type TransferConversion,
  TransferQuoteError,
} from '../core/quotes/transfer.js';
import { startTransferWorkflow, type TransferNoun, TransferStartError } from '../core/transfers/start.js';
import { canonicalAmount, compareAmounts, isAmount } from '../stellar/money.js';
import {
  AnchorTransactionId,
  AssetCode,
  StellarAccount,
  TransactionKind,
  TransactionStatus,
} from '../workflows/search-attributes.js';
import type { ApiDeps } from './deps.js';
import { apiError, badRequest } from './middleware/errors.js';

/**
 * The HTTP side of starting a transfer, shared by SEP-24 and SEP-6: the run's search attributes (the keys live in
 * workflows/, above core/) and the 503 a wallet gets when the workflow could not be started. The start itself is
 * core/transfers/start.ts.
 */

export function transferSearchAttributes(config: AppConfig, noun: TransferNoun, id: string, account: string) {
  return [
    { key: AnchorTransactionId, value: id },
    { key: StellarAccount, value: account },
    { key: TransactionKind, value: noun },
    { key: TransactionStatus, value: 'incomplete' },
    { key: AssetCode, value: config.stellar.assetCode },
  ];
}

/** startTransferWorkflow() with the front's search attributes; a start that failed answers 503 (retry). */
export async function startTransfer<W extends Workflow, T = never>(
  deps: ApiDeps,
  noun: TransferNoun,
  workflowType: string,
  start: Omit<Parameters<typeof startTransferWorkflow<W, T>>[3], 'searchAttributes'>,
): Promise<void> {
  try {
    await startTransferWorkflow<W, T>(deps, noun, workflowType, {
      ...start,
      searchAttributes: transferSearchAttributes(deps.config, noun, start.id, start.account),
    });
  } catch (err) {
    if (err instanceof TransferStartError)
      throw apiError(503, 'api.transfer_not_started', { noun: err.noun }, 'unavailable');
    throw err;
  }
}

/**
 * The conversion a transfer request asks for (S24-10, S24-15, S6-08): the quote read and checked against the
 * request (400 `{"error"}` on any conflict, an unknown, foreign, used or expired quote), and with a firm quote
 * its Stellar side held to the operation's limits. null: a 1:1 transfer.
 */
export async function transferConversion(
  deps: ApiDeps,
  op: Sep24AssetOperation,
  req: ConversionRequest,
): Promise<TransferConversion | null> {
  let conversion: TransferConversion | null;
  try {
    conversion = await resolveConversion(deps.db, deps.config, req);
  } catch (err) {
    if (err instanceof TransferQuoteError) throw badRequest(err.message);
    throw err;
  }
  const firm = conversion?.quote;
  if (firm) {
    const stellarAmount = req.direction === 'deposit' ? firm.buyAmount : firm.sellAmount;
    if (compareAmounts(stellarAmount, op.minAmount) < 0) {
      throw apiError(400, 'api.amount_below_min', { min: canonicalAmount(op.minAmount) });
    }
    if (compareAmounts(stellarAmount, op.maxAmount) > 0) {
      throw apiError(400, 'api.amount_above_max', { max: canonicalAmount(op.maxAmount) });
    }
  }
  return conversion;
}

/**
 * The amount of a converting transfer, in its sell asset (what the user sends): a firm quote's sell_amount, or
 * the positive decimal the wallet sent (limits then apply to what it buys, when the funds are priced).
 */
export function conversionAmount(conversion: TransferConversion, amount: string | undefined): string | null {
  if (conversion.quote) return conversion.quote.sellAmount;
  if (amount === undefined || amount === '') return null;
  if (!isAmount(amount) || compareAmounts(amount, '0') <= 0) throw apiError(400, 'api.amount_invalid');
  return canonicalAmount(amount);
}

/**
 * The row columns of a transfer's front and conversion (S24-27, S6-09): SEP-6 records its front for its wire
 * form and callbacks (S6-12); a firm quote's amounts and fee are the transaction's from the start.
 */
export function conversionColumns(
  conversion: TransferConversion | null,
  protocol: 'sep6' | 'sep24',
  exchange: boolean,
) {
  const firm = conversion?.quote;
  return {
    protocol,
    exchange,
    quote_id: firm?.id ?? null,
    offchain_asset: conversion
      ? conversion.sellAsset.startsWith('iso4217:')
        ? conversion.sellAsset
        : conversion.buyAsset
      : null,
    fee_details: firm ? JSON.stringify(firm.fee) : null,
    ...(firm ? { amount_in: firm.sellAmount, amount_out: firm.buyAmount, amount_fee: firm.fee.total } : {}),
  };
}

/**
 * Reserves the firm quote to the new row, first in its database transaction: a second request for the same
 * quote waits on the quote's row, then gets a 400, never a 500.
 */
export async function reserveQuoteOrRefuse(
  trx: Parameters<typeof reserveTransferQuote>[0],
  conversion: TransferConversion | null,
  sub: string,
  transactionId: string,
): Promise<void> {
  try {
    await reserveTransferQuote(trx, conversion, { sub, transactionId });
  } catch (err) {
    if (err instanceof TransferQuoteError) throw badRequest(err.message);
    throw err;
  }
}

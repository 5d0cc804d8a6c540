import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every anchor workflow carries, so operators can find runs in the Temporal UI
 * (e.g. `TransactionStatus="pending_anchor"`). scripts/lib/temporal.ts registers them on the dev server.
 */
export const AnchorTransactionId = defineSearchAttributeKey(
  'AnchorTransactionId',
  SearchAttributeType.KEYWORD,
);
export const StellarAccount = defineSearchAttributeKey('StellarAccount', SearchAttributeType.KEYWORD);
export const TransactionKind = defineSearchAttributeKey('TransactionKind', SearchAttributeType.KEYWORD);
export const TransactionStatus = defineSearchAttributeKey('TransactionStatus', SearchAttributeType.KEYWORD);
export const AssetCode = defineSearchAttributeKey('AssetCode', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [
  AnchorTransactionId,
  StellarAccount,
  TransactionKind,
  TransactionStatus,
  AssetCode,
];

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../../config/index.js';
import type { Refunds, TransactionRow, TransactionStatus } from '../../db/schema.js';
import { canonicalAmount } from '../../stellar/money.js';
import { mirroredFiatAsset } from '../quotes/transfer.js';

/**
 * The SEP-24 transaction object (S24-27..33) built from a row: snake_case at the wire, amounts as strings with
 * at most 7 decimals, `null` for what is not known yet, `refunded` always present. Used by
 * GET /transaction(s), on_change_callback and the hosted pages alike, so they can never disagree.
 */
export interface Sep24Transaction {
  id: string;
  kind: 'deposit' | 'withdrawal';
  status: TransactionStatus;
  status_eta: number | null;
  kyc_verified?: boolean;
  more_info_url: string;
  amount_in: string | null;
  amount_in_asset: string;
  amount_out: string | null;
  amount_out_asset: string;
  amount_fee: string | null;
  amount_fee_asset: string;
  fee_details: {
    total: string;
    asset: string;
    breakdown?: { name: string; description?: string; amount: string }[];
  } | null;
  quote_id?: string;
  started_at: string;
  updated_at: string;
  completed_at: string | null;
  user_action_required_by?: string;
  stellar_transaction_id: string | null;
  external_transaction_id: string | null;
  message: string | null;
  refunded: boolean;
  refunds?: Refunds;
  from: string | null;
  to: string | null;
  deposit_memo?: string | null;
  deposit_memo_type?: string | null;
  claimable_balance_id?: string | null;
  withdraw_anchor_account?: string | null;
  withdraw_memo?: string | null;
  withdraw_memo_type?: string | null;
}

/** Statuses that wait on the user: only these carry `user_action_required_by` (S24-27). */
const WAITING_ON_USER: ReadonlySet<TransactionStatus> = new Set([
  'incomplete',
  'pending_user_transfer_start',
  'pending_trust',
  'pending_user',
]);

/** SEP-38 name of the on-chain asset. */
export function stellarAssetId(config: AppConfig, assetCode: string, issuer: string | null): string {
  return assetCode === 'native'
    ? 'stellar:native'
    : `stellar:${assetCode}:${issuer ?? config.stellar.issuerAccount}`;
}

/**
 * SEP-38 name of the off-chain side: the bank currency the anchored asset mirrors 1:1 (USDC → USD, EURC → EUR).
 */
export function fiatAssetId(assetCode: string): string {
  return mirroredFiatAsset(assetCode);
}

/**
 * The more_info_url's `sig`: an HMAC of the transaction id, so the link the wallet got from GET /transaction (with
 * its JWT) may act on the transaction (answer a requote), while the id alone only shows the page. Domain-separated
 * from every other use of the key.
 */
export function moreInfoSignature(config: AppConfig, id: string): string {
  return createHmac('sha256', Buffer.from(config.withdraw.encryptionKey, 'hex'))
    .update(`more_info_url:${id}`)
    .digest('base64url')
    .slice(0, 32);
}

/** True when `sig` is the transaction's more_info_url signature (constant time). */
export function isMoreInfoSignature(config: AppConfig, id: string, sig: string | undefined): boolean {
  if (!sig) return false;
  const want = Buffer.from(moreInfoSignature(config, id));
  const got = Buffer.from(sig);
  return got.length === want.length && timingSafeEqual(got, want);
}

export function moreInfoUrl(config: AppConfig, id: string): string {
  return `${config.api.publicUrl}/sep24/more_info?id=${encodeURIComponent(id)}&sig=${moreInfoSignature(config, id)}`;
}

const amount = (v: string | null): string | null => (v === null ? null : canonicalAmount(v));
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toSep24Transaction(config: AppConfig, row: TransactionRow): Sep24Transaction {
  const onChain = stellarAssetId(config, row.asset_code, row.asset_issuer);
  // A conversion (quote, or SEP-6 -exchange) names its off-chain side; otherwise the asset's mirrored fiat.
  const offChain = row.offchain_asset ?? fiatAssetId(row.asset_code);
  const deposit = row.kind === 'deposit';
  const inAsset = deposit ? offChain : onChain;
  const fee = amount(row.amount_fee);
  // S24-27: with a quote, fee_details is the quote's fee as issued (its asset, its parts as `breakdown`).
  const feeAsset = row.fee_details?.asset ?? inAsset;
  const feeDetails: Sep24Transaction['fee_details'] =
    fee === null
      ? null
      : row.fee_details
        ? {
            total: row.fee_details.total,
            asset: row.fee_details.asset,
            ...(row.fee_details.details ? { breakdown: row.fee_details.details } : {}),
          }
        : { total: fee, asset: inAsset };
  const refunds = row.refunds ?? undefined;
  const tx: Sep24Transaction = {
    id: row.id,
    kind: row.kind,
    status: row.status,
    status_eta: row.status_eta,
    more_info_url: moreInfoUrl(config, row.id),
    amount_in: amount(row.amount_in),
    amount_in_asset: inAsset,
    amount_out: amount(row.amount_out),
    amount_out_asset: deposit ? onChain : offChain,
    amount_fee: fee,
    amount_fee_asset: feeAsset,
    fee_details: feeDetails,
    started_at: row.started_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    completed_at: iso(row.completed_at),
    stellar_transaction_id: row.stellar_transaction_id,
    external_transaction_id: row.external_transaction_id,
    message: row.message,
    refunded: row.status === 'refunded',
    from: row.from_address,
    to: row.to_address,
  };
  if (row.quote_id) tx.quote_id = row.quote_id;
  if (row.kyc_verified !== null) tx.kyc_verified = row.kyc_verified;
  if (row.user_action_required_by && WAITING_ON_USER.has(row.status)) {
    tx.user_action_required_by = row.user_action_required_by.toISOString();
  }
  if (refunds) tx.refunds = refunds;
  if (deposit) {
    tx.to = row.to_address ?? row.stellar_account;
    tx.deposit_memo = row.memo;
    tx.deposit_memo_type = row.memo_type;
    tx.claimable_balance_id = row.claimable_balance_id;
  } else {
    tx.from = row.from_address ?? row.stellar_account;
    tx.withdraw_anchor_account = row.withdraw_anchor_account;
    tx.withdraw_memo = row.memo;
    tx.withdraw_memo_type = row.memo_type;
  }
  return tx;
}

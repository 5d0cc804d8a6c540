import { type AssetRef, sameAsset } from './assets.js';
import { type MemoSpec, type MemoType, sameMemo } from './memos.js';
import { compareAmounts, isAmount } from './money.js';

/**
 * Which pending withdrawal an incoming payment pays (SEP-24 S24-21/S24-22). Pure: the observer loads the
 * candidates (withdrawals in `pending_user_transfer_start` to the account paid) and asks here.
 *
 * A payment matches a withdrawal when either
 *  - the withdrawal's `withdraw_anchor_account` is a muxed M... address and the payment went to exactly it, or
 *  - the withdrawal's account is the G... paid and the payment's memo equals `withdraw_memo` (text, id or hash;
 *    a hash compared as bytes), where a payment to a muxed address counts its muxed id as an id memo.
 * Amount and asset are not part of the match: a payment with the right memo and the wrong amount still belongs
 * to that withdrawal, flagged, and its workflow decides (accept within tolerance, refund...).
 */

export interface IncomingPayment {
  /** The destination's G... account. */
  to: string;
  /** The destination as addressed when it was muxed (M...), else null. */
  toMuxed: string | null;
  toMuxedId: string | null;
  asset: AssetRef;
  amount: string;
  memo: MemoSpec | null;
}

export interface PendingWithdrawal {
  id: string;
  withdrawAnchorAccount: string;
  memo: string | null;
  memoType: MemoType | null;
  asset: AssetRef;
  /** What the user was told to send (`amount_in`, else `amount_expected`); null when any amount is fine. */
  amount: string | null;
}

export type Mismatch = 'asset' | 'amount';

export type MatchResult =
  | { matched: true; withdrawal: PendingWithdrawal; mismatch: Mismatch | null }
  | { matched: false; reason: 'no_reference' | 'no_match' | 'ambiguous' };

function references(payment: IncomingPayment, w: PendingWithdrawal): boolean {
  if (payment.toMuxed && w.withdrawAnchorAccount === payment.toMuxed) return true;
  if (w.withdrawAnchorAccount !== payment.to || !w.memo || !w.memoType) return false;
  const wanted: MemoSpec = { type: w.memoType, value: w.memo };
  if (payment.memo && sameMemo(payment.memo, wanted)) return true;
  return payment.toMuxedId !== null && sameMemo({ type: 'id', value: payment.toMuxedId }, wanted);
}

export function matchPayment(
  payment: IncomingPayment,
  candidates: readonly PendingWithdrawal[],
): MatchResult {
  if (!payment.memo && !payment.toMuxed) return { matched: false, reason: 'no_reference' };
  const hits = candidates.filter((w) => references(payment, w));
  if (hits.length === 0) return { matched: false, reason: 'no_match' };
  if (hits.length > 1) return { matched: false, reason: 'ambiguous' };
  const withdrawal = hits[0]!;
  let mismatch: Mismatch | null = null;
  if (!sameAsset(payment.asset, withdrawal.asset)) mismatch = 'asset';
  else if (
    withdrawal.amount !== null &&
    isAmount(withdrawal.amount) &&
    compareAmounts(payment.amount, withdrawal.amount) !== 0
  ) {
    mismatch = 'amount';
  }
  return { matched: true, withdrawal, mismatch };
}

/** Values of `transactions.memo` that could match this payment: narrows the candidate query. */
export function candidateMemos(payment: IncomingPayment): string[] {
  const out = new Set<string>();
  if (payment.memo) out.add(payment.memo.value);
  if (payment.toMuxedId) out.add(payment.toMuxedId);
  return [...out];
}

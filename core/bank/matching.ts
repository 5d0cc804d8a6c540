import type { Kysely } from 'kysely';
import type { DepositMatching } from '../../config/index.js';
import {
  attachTransferToDeposit,
  type BankTransferRow,
  depositCandidates,
  leaseTransferDelivery,
  lockBankTransfer,
  lockDepositStatus,
  otherTransferFunding,
  queueUnmatched,
} from '../../db/bank.js';
import type { Database, TransactionStatus, UnmatchedReason } from '../../db/schema.js';
import { currencyOf } from '../quotes/transfer.js';

/**
 * The deposit-matching policy: which deposit a recorded bank transfer funds, decided once inside one database
 * transaction (the queries are db/bank.ts repositories). The decision is stored on the transfer row, so a retry
 * signals the same deposit.
 */

/** Deposit statuses in which a bank transfer is still expected (the deposit holds its bank reference). */
export const AWAITING_TRANSFER_STATUSES: readonly TransactionStatus[] = [
  'incomplete',
  'pending_user_transfer_start',
];

/** Upper-case letters and digits only: "anc-7f3k 9q" and "ANC7F3K9Q" are the same reference. */
export function normalizeReference(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export type MatchOutcome =
  | { kind: 'matched'; transactionId: string; row: BankTransferRow }
  | { kind: 'unmatched'; reason: UnmatchedReason; row: BankTransferRow }
  /** Already delivered, queued for an operator or refunded: nothing more to do. */
  | { kind: 'settled'; row: BankTransferRow }
  /** Another process holds the delivery lease right now. */
  | { kind: 'in_flight'; row: BankTransferRow };

/** How long a process may take to signal a matched transfer before another may try. */
export const DELIVERY_LEASE_SECONDS = 30;

export interface MatchingRules {
  matching: DepositMatching;
  /** The bank account's currency: a transfer in any other is never credited automatically. */
  currency: string;
}

/**
 * Decides which deposit a recorded transfer funds, once. A transfer that matches nothing, matches only deposits
 * that no longer wait for money, matches several, or would fund a deposit that another transfer already funded
 * goes to the unmatched queue.
 */
export async function matchBankTransfer(
  db: Kysely<Database>,
  transferId: string,
  rules: MatchingRules,
): Promise<MatchOutcome> {
  const strategy = rules.matching;
  return db.transaction().execute(async (trx) => {
    const { row, leased } = await lockBankTransfer(trx, transferId);
    if (row.status !== 'received') return { kind: 'settled', row };
    if (leased) return { kind: 'in_flight', row };
    if (row.transaction_id) {
      await leaseTransferDelivery(trx, row.id, DELIVERY_LEASE_SECONDS);
      return { kind: 'matched', transactionId: row.transaction_id, row };
    }

    // The reference code may sit anywhere in the free-text description the sender typed.
    const candidates = await depositCandidates(trx, row, strategy, normalizeReference(row.reference));
    const live = candidates.filter((c) => AWAITING_TRANSFER_STATUSES.includes(c.status));
    const ids = candidates.map((c) => c.id);
    const unmatched = async (
      reason: UnmatchedReason,
      detail: string,
      candidateIds: string[],
    ): Promise<MatchOutcome> => {
      await queueUnmatched(trx, row.id, reason, detail, candidateIds);
      return { kind: 'unmatched', reason, row: { ...row, status: 'unmatched' } };
    };
    // A deposit expects the bank currency, or the off-chain asset it converts from (a quote in BRL).
    const currency = row.currency.toUpperCase();
    const expects = (c: { offchain_asset: string | null }) =>
      (currencyOf(c.offchain_asset) ?? rules.currency).toUpperCase();
    if (currency !== rules.currency.toUpperCase() && !candidates.some((c) => expects(c) === currency)) {
      return unmatched('currency_mismatch', `transfer in ${row.currency}, account in ${rules.currency}`, ids);
    }
    if (candidates.length === 0) {
      return unmatched('no_match', `no deposit matches by ${strategy}`, []);
    }
    // Several live deposits (a customer's virtual account, a user id): the announced amount may tell them apart.
    const byAmount = live.filter((c) => c.amount_matches);
    if (live.length > 1 && byAmount.length !== 1) {
      return unmatched(
        'ambiguous',
        `${live.length} live deposits match by ${strategy}${byAmount.length > 1 ? ', several for this amount' : ''}`,
        live.map((c) => c.id),
      );
    }
    if (live.length === 0) {
      const statuses = [...new Set(candidates.map((c) => c.status))].join(', ');
      return unmatched(
        'deposit_not_live',
        `matching deposits are no longer awaiting a transfer (${statuses})`,
        ids,
      );
    }
    const target = live.length > 1 ? byAmount[0]! : live[0]!;
    if (expects(target) !== currency) {
      return unmatched(
        'currency_mismatch',
        `transfer in ${row.currency}, deposit ${target.id} expects ${expects(target)}`,
        [target.id],
      );
    }
    const status = await lockDepositStatus(trx, target.id);
    if (!AWAITING_TRANSFER_STATUSES.includes(status)) {
      return unmatched('deposit_not_live', `the deposit moved to ${status}`, [target.id]);
    }
    const funded = await otherTransferFunding(trx, target.id, row.id);
    if (funded) {
      return unmatched('deposit_already_funded', `deposit already funded by transfer ${funded.id}`, [
        target.id,
      ]);
    }
    const updated = await attachTransferToDeposit(trx, row.id, target.id);
    await leaseTransferDelivery(trx, row.id, DELIVERY_LEASE_SECONDS);
    return { kind: 'matched', transactionId: target.id, row: updated };
  });
}

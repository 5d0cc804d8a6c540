import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { DepositMatching } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import {
  assignUnmatchedTransfer,
  type BankTransferRow,
  type IncomingBankTransfer,
  markTransferDeliveryFailed,
  markTransferSignalled,
  queueUnmatched,
  recordBankTransfer,
} from '../../db/bank.js';
import type { Db } from '../../db/index.js';
import type { BankTransfersTable, UnmatchedReason } from '../../db/schema.js';
import { canonicalAmount } from '../../stellar/money.js';
import { type BankTransferReceived, bankTransferReceivedSignal } from '../../workflows/messages.js';
import { depositWorkflowId } from '../ids.js';
import { maskAccount } from './mask.js';
import { matchBankTransfer } from './matching.js';

/**
 * The one path every incoming bank transfer takes, whether it came by webhook, by polling or by an operator:
 * record it once (the bank's transfer id is the key), decide its deposit once, commit, and only then signal
 * `deposit-<id>`. If the signal cannot be delivered the transfer stays `received` and the poller retries it;
 * the deposit workflow dedupes by bankTransferId, so a repeated signal never credits twice.
 */
export type DepositSignaller = (transactionId: string, payload: BankTransferReceived) => Promise<void>;

export function temporalDepositSignaller(client: Client): DepositSignaller {
  return async (transactionId, payload) => {
    await client.workflow
      .getHandle(depositWorkflowId(transactionId))
      .signal(bankTransferReceivedSignal, payload);
  };
}

export interface BankIntakeDeps {
  db: Db;
  matching: DepositMatching;
  /** Fiat currency of the bank account (config.bank.currency). */
  currency: string;
  signal: DepositSignaller;
  logger?: Logger;
}

export type DeliveryResult =
  | { result: 'signalled'; transactionId: string }
  | { result: 'unmatched'; reason: UnmatchedReason }
  /** Delivered, queued or refunded earlier: a duplicate. */
  | { result: 'already_handled' }
  /** Another process (webhook or poller) is delivering it right now. */
  | { result: 'in_flight' }
  /** Could not reach Temporal: stays `received` for the poller. */
  | { result: 'retry_later'; transactionId: string; error: string };

export function signalPayload(row: BankTransferRow): BankTransferReceived {
  return {
    bankTransferId: row.id,
    reference: row.reference,
    amount: canonicalAmount(row.amount),
    currency: row.currency,
    // The sender for the SEP-24 `from` field, masked: the full IBAN never reaches workflow history.
    from: maskAccount(row.from_account),
    receivedAt: row.booked_at.toISOString(),
  };
}

/** Matches (once) and signals a recorded transfer. Safe to call any number of times, from anywhere. */
export async function deliverBankTransfer(deps: BankIntakeDeps, transferId: string): Promise<DeliveryResult> {
  const outcome = await matchBankTransfer(deps.db, transferId, deps);
  if (outcome.kind === 'settled') return { result: 'already_handled' };
  if (outcome.kind === 'in_flight') return { result: 'in_flight' };
  if (outcome.kind === 'unmatched') {
    deps.logger?.warn(
      { bankTransferId: transferId, reason: outcome.reason },
      'bank transfer queued as unmatched',
    );
    return { result: 'unmatched', reason: outcome.reason };
  }
  const { transactionId, row } = outcome;
  try {
    await deps.signal(transactionId, signalPayload(row));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // The deposit's workflow has ended (expired, completed...): an operator decides what the money is for.
      await queueUnmatched(deps.db, transferId, 'deposit_not_live', 'the deposit workflow is not running', [
        transactionId,
      ]);
      deps.logger?.warn(
        { bankTransferId: transferId, transactionId },
        'deposit workflow not running; unmatched',
      );
      return { result: 'unmatched', reason: 'deposit_not_live' };
    }
    const error = err instanceof Error ? err.message : String(err);
    await markTransferDeliveryFailed(deps.db, transferId, error);
    deps.logger?.warn(
      { bankTransferId: transferId, transactionId, error },
      'bank transfer signal failed; will retry',
    );
    return { result: 'retry_later', transactionId, error };
  }
  await markTransferSignalled(deps.db, transferId);
  deps.logger?.info({ bankTransferId: transferId, transactionId }, 'bank transfer delivered to deposit');
  return { result: 'signalled', transactionId };
}

/** Records an incoming transfer and delivers it. `created` is false for a duplicate. */
export async function ingestBankTransfer(
  deps: BankIntakeDeps,
  transfer: IncomingBankTransfer,
  source: BankTransfersTable['source'],
): Promise<DeliveryResult & { created: boolean }> {
  const { row, created } = await recordBankTransfer(deps.db, transfer, source);
  if (row.status !== 'received') return { result: 'already_handled', created };
  return { ...(await deliverBankTransfer(deps, row.id)), created };
}

/**
 * Admin API: an operator says which deposit an unmatched transfer funds. Records the decision, then signals the
 * deposit. If that deposit's workflow is no longer running the item goes back to the open queue and the result
 * says so (`unmatched` / `deposit_not_live`). Throws UnmatchedTransferError (db/bank.ts) for invalid requests.
 */
export async function attachUnmatchedTransfer(
  deps: BankIntakeDeps,
  transferId: string,
  transactionId: string,
  operator: string,
  note?: string,
): Promise<DeliveryResult> {
  await assignUnmatchedTransfer(deps.db, transferId, transactionId, operator, note);
  return deliverBankTransfer(deps, transferId);
}

import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../config/logger.js';
import { amountString } from '../config/schema.js';
import {
  getBankPayout,
  getBankTransfer,
  getPollCursor,
  listUndeliveredTransfers,
  markUnmatchedRefunded,
  queueOrphanedTransfers,
  recordBankPayout,
  recordBankTransfer,
  requireOpenUnmatched,
  saveVirtualAccount,
  setPollCursor,
  updateBankPayout,
  virtualAccountOf,
} from '../db/bank.js';
import type { Db } from '../db/index.js';
import {
  BankApiError,
  type BankClient,
  type BankPayoutWire,
  createBankClient,
  toIncomingTransfer,
} from '../core/bank/client.js';
import {
  type BankIntakeDeps,
  canonicalAmount,
  type DepositSignaller,
  deliverBankTransfer,
  maskAccount,
  temporalDepositSignaller,
} from '../core/bank/intake.js';

/**
 * Bank rails activities: polling incoming transfers (the Schedule's bankPollerWorkflow), fiat payouts of
 * withdrawals and refunds of deposits, idempotent by their reference (stored before the bank is called; the bank
 * dedupes by Idempotency-Key). A payout the bank refuses is `ApplicationFailure.nonRetryable(type 'BankPayoutRejected')`.
 */

export const BANK_POLL_CURSOR = 'incoming_transfers';

export interface BankPollResult {
  fetched: number;
  /** New to us (not already recorded by a webhook). */
  recorded: number;
  signalled: number;
  unmatched: number;
  retryLater: number;
  /** Signalled transfers whose deposit ended without using them, moved to the unmatched queue. */
  orphaned: number;
  cursor: string | null;
}

export interface BankPollDeps {
  db: Db;
  config: AppConfig;
  bank: BankClient;
  signal: DepositSignaller;
  logger?: Logger;
  heartbeat?: () => void;
}

/**
 * One polling pass: reads incoming transfers after the stored cursor, records each (a transfer the webhook
 * already recorded is a no-op), and advances the cursor only once the page is recorded, so a crash re-reads a
 * page rather than skipping one. Then delivers every transfer still `received`: the new ones, and older ones
 * whose signal failed (the reconciler), leaving alone those touched within `retryGraceMs` (in flight elsewhere).
 * Last, transfers a deposit accepted but ended without using go to the unmatched queue (queueOrphanedTransfers).
 */
export async function pollBankOnce(
  deps: BankPollDeps,
  opts: { pageSize?: number; maxPages?: number; retryGraceMs?: number } = {},
): Promise<BankPollResult> {
  const { db } = deps;
  const pageSize = opts.pageSize ?? 100;
  const maxPages = opts.maxPages ?? 20;
  const result: BankPollResult = {
    fetched: 0,
    recorded: 0,
    signalled: 0,
    unmatched: 0,
    retryLater: 0,
    orphaned: 0,
    cursor: null,
  };
  let cursor = await getPollCursor(db, BANK_POLL_CURSOR);
  const fresh: string[] = [];
  for (let page = 0; page < maxPages; page++) {
    const { transfers, nextCursor, hasMore } = await deps.bank.listTransfers(cursor, pageSize);
    for (const t of transfers) {
      const { row, created } = await recordBankTransfer(db, toIncomingTransfer(t), 'poll');
      result.fetched++;
      if (created) result.recorded++;
      // A transfer the webhook recorded first is its to deliver; if that failed, the reconciler below retries it.
      if (created && row.status === 'received') fresh.push(row.id);
    }
    if (nextCursor && nextCursor !== cursor) {
      await setPollCursor(db, BANK_POLL_CURSOR, nextCursor);
      cursor = nextCursor;
    }
    deps.heartbeat?.();
    if (!hasMore) break;
  }
  result.cursor = cursor ?? null;

  const intake: BankIntakeDeps = {
    db,
    matching: deps.config.bank.depositMatching,
    currency: deps.config.bank.currency,
    signal: deps.signal,
    ...(deps.logger ? { logger: deps.logger } : {}),
  };
  const stale = await listUndeliveredTransfers(db, new Date(Date.now() - (opts.retryGraceMs ?? 10_000)));
  const toDeliver = [...new Set([...fresh, ...stale.map((r) => r.id)])];
  for (const id of toDeliver) {
    const r = await deliverBankTransfer(intake, id);
    if (r.result === 'signalled') result.signalled++;
    else if (r.result === 'unmatched') result.unmatched++;
    else if (r.result === 'retry_later') result.retryLater++;
    deps.heartbeat?.();
  }
  result.orphaned = await queueOrphanedTransfers(db);
  return result;
}

/** Where the fiat goes (same shape as BankDestination in core/policies/withdrawal.ts). */
export interface PayoutDestination {
  name: string;
  account: string;
  routing?: string | undefined;
}
export interface BankPayoutInput {
  payoutRef: string;
  amount: string;
  currency: string;
  destination: PayoutDestination;
  transactionId: string;
}
export interface BankPayoutStatus {
  status: 'created' | 'pending' | 'completed' | 'failed';
  bankPayoutId: string | null;
  failureReason: string | null;
}

function rejected(message: string, reason?: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'BankPayoutRejected', reason ? { reason } : undefined);
}

/** Payouts, refunds and virtual accounts over a bank client; plain functions the activities and other families use. */
export function createBankRails(deps: { db: Db; bank: BankClient }) {
  const { db, bank } = deps;

  async function applyBankAnswer(payoutRef: string, p: BankPayoutWire): Promise<BankPayoutStatus> {
    await updateBankPayout(db, payoutRef, {
      status: p.status,
      bankPayoutId: p.id,
      failureReason: p.failure_reason,
    });
    return toStatus(p);
  }

  async function sendBankPayout(input: BankPayoutInput): Promise<BankPayoutStatus> {
    if (!amountString.safeParse(input.amount).success || !/[1-9]/.test(input.amount)) {
      throw rejected(`payout amount ${JSON.stringify(input.amount)} is not a positive decimal`);
    }
    const row = await recordBankPayout(db, {
      payoutRef: input.payoutRef,
      transactionId: input.transactionId,
      amount: input.amount,
      currency: input.currency,
      // Only a masked account is kept here: the withdrawal's bank details stay encrypted at rest (stellar/crypto.ts)
      // and reach the bank straight from the activity input.
      destinationAccount: maskAccount(input.destination.account),
      destinationName: input.destination.name,
    });
    if (row.status === 'completed' || row.status === 'failed') {
      return { status: row.status, bankPayoutId: row.bank_payout_id, failureReason: row.failure_reason };
    }
    try {
      // Same Idempotency-Key on every attempt: a retry after a lost answer returns the first payout.
      const p = await bank.createPayout(input.payoutRef, {
        amount: canonicalAmount(row.amount),
        currency: row.currency,
        accountNumber: input.destination.account,
        accountName: input.destination.name,
        reference: input.payoutRef,
      });
      return await applyBankAnswer(input.payoutRef, p);
    } catch (err) {
      if (err instanceof BankApiError && !err.retryable) {
        await updateBankPayout(db, input.payoutRef, { status: 'failed', failureReason: err.message });
        throw rejected(`the bank rejected payout ${input.payoutRef}: ${err.message}`, err.message);
      }
      throw err; // retryable: network, 5xx, 429
    }
  }

  async function getBankPayoutStatus(payoutRef: string): Promise<BankPayoutStatus> {
    const [p, row] = await Promise.all([bank.getPayout(payoutRef), getBankPayout(db, payoutRef)]);
    if (p) return row ? applyBankAnswer(payoutRef, p) : toStatus(p);
    if (!row) throw ApplicationFailure.nonRetryable(`no payout ${payoutRef}`, 'NotFound');
    return { status: row.status, bankPayoutId: row.bank_payout_id, failureReason: row.failure_reason };
  }

  /** Sends a deposit's bank transfer back to its sender (deposit workflow), once per `ref`. */
  async function refundBankTransfer(input: {
    ref: string;
    bankTransferId: string;
    amount: string;
    reason: string;
  }): Promise<{ refundId: string }> {
    const transfer = await getBankTransfer(db, input.bankTransferId);
    if (!transfer)
      throw ApplicationFailure.nonRetryable(`no bank transfer ${input.bankTransferId}`, 'NotFound');
    const result = await sendBankPayout({
      payoutRef: input.ref,
      amount: input.amount,
      currency: transfer.currency,
      destination: { name: transfer.from_name ?? 'sender', account: transfer.from_account },
      transactionId: transfer.transaction_id ?? input.bankTransferId,
    });
    if (result.status === 'failed')
      throw rejected(`refund ${input.ref} failed: ${result.failureReason ?? 'unknown'}`);
    return { refundId: result.bankPayoutId ?? input.ref };
  }

  /**
   * Admin API: sends an unmatched transfer back to its sender through the bank (payout ref
   * `refund-unmatched-<transferId>`, so a retried request never pays twice) and closes the queue item as refunded.
   * Throws UnmatchedTransferError (not_found / not_open) or BankPayoutRejected.
   */
  async function refundUnmatchedTransfer(
    transferId: string,
    operator: string,
    reason?: string,
  ): Promise<{ refundId: string }> {
    await requireOpenUnmatched(db, transferId);
    const transfer = (await getBankTransfer(db, transferId))!;
    const { refundId } = await refundBankTransfer({
      ref: `refund-unmatched-${transferId}`,
      bankTransferId: transferId,
      amount: canonicalAmount(transfer.amount),
      reason: reason ?? 'unmatched bank transfer returned to the sender',
    });
    await markUnmatchedRefunded(db, transferId, operator, refundId, reason);
    return { refundId };
  }

  /** The per-customer account number (DEPOSIT_MATCHING=virtual_account), assigned by the bank once per sub. */
  async function ensureVirtualAccount(sub: string): Promise<string> {
    const existing = await virtualAccountOf(db, sub);
    if (existing) return existing;
    const accountNumber = await bank.assignVirtualAccount(sub);
    await saveVirtualAccount(db, sub, accountNumber);
    return accountNumber;
  }

  return {
    sendBankPayout,
    getBankPayoutStatus,
    refundBankTransfer,
    refundUnmatchedTransfer,
    ensureVirtualAccount,
  };
}

function toStatus(p: BankPayoutWire): BankPayoutStatus {
  return { status: p.status, bankPayoutId: p.id, failureReason: p.failure_reason };
}

export type BankRails = ReturnType<typeof createBankRails>;

export interface BankActivityDeps {
  config: AppConfig;
  db: Db;
  /** Defaults to the HTTP client of config.bank. */
  bank?: BankClient;
  /** Defaults to the worker's client (Context.current().client). */
  signal?: DepositSignaller;
  logger?: Logger;
}

export function createBankActivities(deps: BankActivityDeps) {
  const bank = deps.bank ?? createBankClient(deps.config.bank);
  const rails = createBankRails({ db: deps.db, bank });
  return {
    /** Scheduled by bankPollerWorkflow: fetch new transfers, record, match and signal; retry undelivered ones. */
    async pollBankTransfers(): Promise<BankPollResult> {
      const ctx = Context.current();
      return pollBankOnce({
        db: deps.db,
        config: deps.config,
        bank,
        signal: deps.signal ?? temporalDepositSignaller(ctx.client),
        heartbeat: () => ctx.heartbeat(),
        ...(deps.logger ? { logger: deps.logger } : {}),
      });
    },
    sendBankPayout: rails.sendBankPayout,
    getBankPayoutStatus: rails.getBankPayoutStatus,
    refundBankTransfer: rails.refundBankTransfer,
    /** DEPOSIT_MATCHING=virtual_account: the account number to show the user as the transfer destination. */
    async ensureBankVirtualAccount(input: { sub: string }): Promise<{ accountNumber: string }> {
      return { accountNumber: await rails.ensureVirtualAccount(input.sub) };
    },
  };
}

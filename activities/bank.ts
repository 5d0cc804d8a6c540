import { Context } from '@temporalio/activity';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../config/logger.js';
import { type BankClient, createBankClient, toIncomingTransfer } from '../core/bank/client.js';
import {
  type BankIntakeDeps,
  type DepositSignaller,
  deliverBankTransfer,
  temporalDepositSignaller,
} from '../core/bank/intake.js';
import { createBankRails } from '../core/bank/rails.js';
import {
  getPollCursor,
  listUndeliveredTransfers,
  queueOrphanedTransfers,
  recordBankTransfer,
  setPollCursor,
} from '../db/bank.js';
import type { Db } from '../db/index.js';
import { whileHeartbeating } from './heartbeat.js';

/**
 * Bank rails activities: polling incoming transfers (the Schedule's bankPollerWorkflow), and the payouts, refunds
 * and virtual accounts of core/bank/rails.ts as activities.
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
    /** Heartbeats while the bank answers, so a payout lost with its worker is retried within seconds. */
    sendBankPayout: (...args: Parameters<typeof rails.sendBankPayout>) =>
      whileHeartbeating(() => rails.sendBankPayout(...args)),
    getBankPayoutStatus: rails.getBankPayoutStatus,
    refundBankTransfer: (...args: Parameters<typeof rails.refundBankTransfer>) =>
      whileHeartbeating(() => rails.refundBankTransfer(...args)),
    /** DEPOSIT_MATCHING=virtual_account: the account number to show the user as the transfer destination. */
    async ensureBankVirtualAccount(input: { sub: string }): Promise<{ accountNumber: string }> {
      return { accountNumber: await rails.ensureVirtualAccount(input.sub) };
    },
  };
}

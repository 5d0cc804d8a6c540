import { createHash } from 'node:crypto';
import type { Horizon } from '@stellar/stellar-sdk';
import { Context } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import { horizonFor } from '../core/horizon.js';
import { duplicatePaymentWorkflowId, withdrawalWorkflowId } from '../core/ids.js';
import type { Db } from '../db/index.js';
import {
  duplicatesToHandle,
  markSignalled,
  markUnmatched,
  type NewReceivedPayment,
  paymentsToSignal,
  type ReceivedPaymentRow,
  readCursor,
  recordPage,
  setDuplicateState,
} from '../db/received-payments.js';
import { withdrawalRefundMemo, withdrawalsByPaymentReference } from '../db/withdrawals.js';
import { fromHorizonAsset } from '../stellar/assets.js';
import {
  candidateMemos,
  type IncomingPayment,
  matchPayment,
  type PendingWithdrawal,
} from '../stellar/matching.js';
import { fromHorizonMemo, type MemoType } from '../stellar/memos.js';
import { formatFixed7, parseAmount } from '../stellar/money.js';
import {
  type DuplicatePaymentInput,
  paymentReceivedSignal,
  type ReceivedPayment,
} from '../workflows/messages.js';

/**
 * The payment observer's batch (docs/payment-observer.md): read the next page of payments to one receiving
 * account after the durable cursor, record every incoming payment once and move the cursor past the page in
 * the same database transaction, then signal the matched withdrawals. Nothing is skipped: the cursor moves only
 * with the records it covers. Nothing is recorded twice: operation ids are unique. Nothing blocks the stream: a
 * payment that matches nothing is recorded as unmatched and the cursor moves on. A payment naming a withdrawal
 * that has its payment already (matched before, in this page or earlier) is a second payment: recorded as
 * unmatched 'duplicate_payment' with that withdrawal's id, and handed to its own duplicatePaymentWorkflow
 * (refund and alert), never to the withdrawal. A payment naming a withdrawal that ended without one (expired, or
 * in error before the user paid) is 'late_payment' and handled the same way.
 */

const INCOMING_TYPES = new Set(['payment', 'path_payment_strict_send', 'path_payment_strict_receive']);
/** Withdrawal statuses that end a withdrawal; without a payment on record, a payment naming it came late. */
const ENDED_UNPAID = new Set(['expired', 'error']);

export interface ObserverActivityDeps {
  config: AppConfig;
  db: Db;
  horizon?: Horizon.Server | undefined;
  /** Client used to signal withdrawals; defaults to the worker's own client (activity context). */
  temporalClient?: Client | undefined;
}

export interface ObserveResult {
  /** Payment records read from Horizon (all types, incoming and outgoing). */
  read: number;
  /** Incoming payments recorded now (new rows). */
  recorded: number;
  signalled: number;
  cursor: string | null;
}

type HorizonRecord = Record<string, unknown> & { id: string; paging_token: string; type: string };

/** The signal's request id, fixed per payment: Temporal drops a repeated signal with the same request id. */
export function signalRequestId(operationId: string): string {
  const h = createHash('sha256').update(`paymentReceived:${operationId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function toReceivedPayment(row: ReceivedPaymentRow): ReceivedPayment {
  return {
    operationId: row.operation_id,
    transactionHash: row.transaction_hash,
    from: row.from_account,
    amount: formatFixed7(parseAmount(row.amount)),
    assetCode: row.asset_code,
    assetIssuer: row.asset_issuer,
    memo: row.memo,
    memoType: row.memo_type,
    ledgerClosedAt: row.ledger_closed_at ? row.ledger_closed_at.toISOString() : null,
  };
}

export function createObserverActivities(deps: ObserverActivityDeps) {
  const { config, db } = deps;
  const horizon = deps.horizon ?? horizonFor(config);

  function clientOf(): Client {
    if (deps.temporalClient) return deps.temporalClient;
    return Context.current().client;
  }

  async function transactionOf(rec: HorizonRecord, cache: Map<string, Record<string, unknown>>) {
    const joined = (rec.transaction_attr ?? rec.transaction) as Record<string, unknown> | undefined;
    if (joined && typeof joined === 'object') return joined;
    const hash = String(rec.transaction_hash);
    let tx = cache.get(hash);
    if (!tx) {
      tx = (await horizon.transactions().transaction(hash).call()) as unknown as Record<string, unknown>;
      cache.set(hash, tx);
    }
    return tx;
  }

  async function fetchPage(account: string, cursor: string | null, limit: number): Promise<HorizonRecord[]> {
    let builder = horizon.payments().forAccount(account).order('asc').limit(limit).join('transactions');
    if (cursor) builder = builder.cursor(cursor);
    try {
      const page = await builder.call();
      return page.records as unknown as HorizonRecord[];
    } catch (err) {
      // An account not created yet has received nothing: wait for it like for an empty page.
      const e = err as { response?: { status?: number }; name?: string };
      if (e?.response?.status === 404 || e?.name === 'NotFoundError') return [];
      throw err;
    }
  }

  /** Withdrawals the page's payments may name: those waiting for their payment, and those that have it. */
  async function loadCandidates(account: string, incoming: IncomingPayment[]) {
    const memos = [...new Set(incoming.flatMap(candidateMemos))];
    const muxed = [...new Set(incoming.map((p) => p.toMuxed).filter((m): m is string => !!m))];
    const rows = await withdrawalsByPaymentReference(db, account, { memos, muxed });
    const toCandidate = (r: (typeof rows)[number]): PendingWithdrawal => ({
      id: r.id,
      withdrawAnchorAccount: r.withdraw_anchor_account!,
      memo: r.memo,
      memoType: r.memo_type,
      asset: { code: r.asset_code, issuer: r.asset_issuer },
      amount: r.amount_in ?? r.amount_expected,
    });
    return {
      awaiting: rows.filter((r) => r.status === 'pending_user_transfer_start' && !r.paid).map(toCandidate),
      paid: rows.filter((r) => r.paid).map(toCandidate),
      // Ended before the user paid: a payment naming one of these is late, and goes back like a second one.
      ended: rows.filter((r) => ENDED_UNPAID.has(r.status) && !r.paid).map(toCandidate),
    };
  }

  async function toRows(account: string, records: HorizonRecord[]): Promise<NewReceivedPayment[]> {
    const cache = new Map<string, Record<string, unknown>>();
    const incoming: { rec: HorizonRecord; tx: Record<string, unknown>; payment: IncomingPayment }[] = [];
    for (const rec of records) {
      if (!INCOMING_TYPES.has(rec.type) || rec.to !== account) continue;
      if (rec.transaction_successful === false) continue;
      const tx = await transactionOf(rec, cache);
      const memo = fromHorizonMemo(tx.memo_type as string | undefined, tx.memo as string | undefined);
      incoming.push({
        rec,
        tx,
        payment: {
          to: account,
          toMuxed: (rec.to_muxed as string | undefined) ?? null,
          toMuxedId: rec.to_muxed_id !== undefined ? String(rec.to_muxed_id) : null,
          asset: fromHorizonAsset(rec),
          amount: formatFixed7(parseAmount(String(rec.amount))),
          memo,
        },
      });
    }
    const candidates = await loadCandidates(
      account,
      incoming.map((i) => i.payment),
    );
    // One payment per withdrawal: the first of the page that names it takes it; later ones are second payments.
    const taken = new Map<string, PendingWithdrawal>();
    return incoming.map(({ rec, tx, payment }) => {
      const match = matchPayment(
        payment,
        candidates.awaiting.filter((w) => !taken.has(w.id)),
      );
      if (match.matched) taken.set(match.withdrawal.id, match.withdrawal);
      const second =
        !match.matched && match.reason === 'no_match'
          ? matchPayment(payment, [...candidates.paid, ...taken.values()])
          : null;
      const late =
        second && !second.matched && second.reason === 'no_match'
          ? matchPayment(payment, candidates.ended)
          : null;
      const duplicateOf = second?.matched ? second.withdrawal.id : late?.matched ? late.withdrawal.id : null;
      const extraReason = second?.matched ? 'duplicate_payment' : 'late_payment';
      const source = rec.type === 'payment' ? null : fromHorizonAsset(rec, 'source_');
      const memoType = (payment.memo?.type ?? 'none') as MemoType | 'none';
      return {
        operation_id: String(rec.id),
        transaction_hash: String(rec.transaction_hash),
        account,
        type: rec.type,
        from_account: String(rec.from),
        to_account: account,
        to_muxed: payment.toMuxed,
        to_muxed_id: payment.toMuxedId,
        asset_code: payment.asset.code,
        asset_issuer: payment.asset.issuer,
        amount: payment.amount,
        source_asset_code: source?.code ?? null,
        source_asset_issuer: source?.issuer ?? null,
        source_amount: source && rec.source_amount ? String(rec.source_amount) : null,
        memo: payment.memo?.value ?? null,
        memo_type: memoType,
        fee_bump: Boolean(tx.fee_bump_transaction ?? tx.inner_transaction),
        ledger: Number(tx.ledger_attr ?? tx.ledger ?? Number(BigInt(String(rec.paging_token)) >> 32n)),
        paging_token: String(rec.paging_token),
        ledger_closed_at: rec.created_at ? new Date(String(rec.created_at)) : null,
        transaction_id: match.matched ? match.withdrawal.id : duplicateOf,
        mismatch: match.matched ? match.mismatch : null,
        unmatched_reason: match.matched ? null : duplicateOf ? extraReason : match.reason,
        status: match.matched ? 'matched' : 'unmatched',
      } satisfies NewReceivedPayment;
    });
  }

  /** Signals every matched, not yet signalled payment of `account`; a failure leaves it for the next batch. */
  async function signalMatched(account: string): Promise<number> {
    const pending = await paymentsToSignal(db, account);
    if (pending.length === 0) return 0;
    const client = clientOf();
    const converter = client.options.loadedDataConverter.payloadConverter;
    let signalled = 0;
    for (const row of pending) {
      // A matched payment always names its withdrawal.
      const workflowId = withdrawalWorkflowId(row.transaction_id!);
      try {
        await client.workflowService.signalWorkflowExecution({
          namespace: client.options.namespace,
          workflowExecution: { workflowId },
          signalName: paymentReceivedSignal.name,
          input: { payloads: [converter.toPayload(toReceivedPayment(row))] },
          identity: client.options.identity,
          requestId: signalRequestId(row.operation_id),
        });
        await markSignalled(db, row.operation_id);
        signalled++;
      } catch (err) {
        if ((err as { code?: number }).code === 5 /* NOT_FOUND: no such (running) workflow */) {
          await markUnmatched(db, row.operation_id, 'workflow_not_found');
        }
        // Anything else (Temporal unreachable): stays 'matched' and is retried with the next batch.
      }
    }
    return signalled;
  }

  /**
   * Starts one duplicatePaymentWorkflow per recorded second payment (ID by operation id: a start repeated after
   * a crash is rejected as a duplicate, so each payment is refunded at most once), then marks it started.
   */
  async function handleDuplicates(account: string): Promise<void> {
    const pending = await duplicatesToHandle(db, account);
    if (pending.length === 0) return;
    const client = clientOf();
    for (const row of pending) {
      const refundMemo = await refundMemoOf(row);
      const input: DuplicatePaymentInput = {
        transactionId: row.transaction_id!,
        operationId: row.operation_id,
        from: row.from_account,
        asset: { code: row.asset_code, issuer: row.asset_issuer },
        amount: formatFixed7(parseAmount(row.amount)),
        memo: refundMemo,
        refund: config.withdraw.refundDuplicatePayments,
        reason: row.unmatched_reason === 'late_payment' ? 'late' : 'duplicate',
      };
      try {
        await client.workflow.start('duplicatePaymentWorkflow', {
          taskQueue: config.temporal.taskQueue,
          workflowId: duplicatePaymentWorkflowId(row.operation_id),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [input],
        });
      } catch (err) {
        // Started before (an attempt lost after the start): it is running or done; anything else retries later.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) continue;
      }
      await setDuplicateState(db, row.operation_id, 'started');
    }
  }

  /** S24-14: the withdrawal's refund_memo, else the payment's own memo. */
  async function refundMemoOf(row: ReceivedPaymentRow): Promise<DuplicatePaymentInput['memo']> {
    const details = await withdrawalRefundMemo(db, row.transaction_id!);
    if (details) return details;
    return row.memo && row.memo_type !== 'none' ? { type: row.memo_type, value: row.memo } : null;
  }

  return {
    /**
     * One observer batch for `account`: waits up to `maxWaitMs` for new payments (polling Horizon), records the
     * page, advances the cursor with it, and signals matched withdrawals.
     */
    async observePayments(input: { account: string; maxWaitMs?: number }): Promise<ObserveResult> {
      const { account } = input;
      const limit = config.payments.observerPageSize;
      const deadline = Date.now() + (input.maxWaitMs ?? 20_000);
      let signalled = await signalMatched(account);
      await handleDuplicates(account);
      for (;;) {
        const cursor = await readCursor(db, account);
        const records = await fetchPage(account, cursor, limit);
        if (records.length > 0) {
          const rows = await toRows(account, records);
          const next = records[records.length - 1]!.paging_token;
          const recorded = await recordPage(db, account, cursor, next, rows);
          if (recorded === null) continue; // another attempt recorded this page first: read on from its cursor
          signalled += await signalMatched(account);
          await handleDuplicates(account);
          return { read: records.length, recorded, signalled, cursor: next };
        }
        if (Date.now() >= deadline) return { read: 0, recorded: 0, signalled, cursor };
        // Heartbeat at least every 5 s whatever the poll interval (the workflow's heartbeat timeout is 15 s).
        for (let waited = 0; waited < config.payments.observerPollIntervalMs; waited += 5000) {
          heartbeat(cursor);
          await sleep(Math.min(5000, config.payments.observerPollIntervalMs - waited));
        }
      }
    },
  };
}

function inActivity(): boolean {
  try {
    Context.current();
    return true;
  } catch {
    return false;
  }
}

function heartbeat(details: unknown): void {
  if (inActivity()) Context.current().heartbeat(details);
}

function sleep(ms: number): Promise<void> {
  if (inActivity()) return Context.current().sleep(ms);
  return new Promise((r) => setTimeout(r, ms));
}

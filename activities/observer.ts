import { createHash } from 'node:crypto';
import type { Horizon } from '@stellar/stellar-sdk';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import { horizonFor } from '../core/horizon.js';
import { withdrawalWorkflowId } from '../core/ids.js';
import type { Db } from '../db/index.js';
import {
  markSignalled,
  markUnmatched,
  type NewReceivedPayment,
  paymentsToSignal,
  type ReceivedPaymentRow,
  readCursor,
  recordPage,
} from '../db/received-payments.js';
import { withdrawalsAwaitingPayment } from '../db/withdrawals.js';
import { fromHorizonAsset } from '../stellar/assets.js';
import {
  candidateMemos,
  type IncomingPayment,
  matchPayment,
  type PendingWithdrawal,
} from '../stellar/matching.js';
import { fromHorizonMemo, type MemoType } from '../stellar/memos.js';
import { formatFixed7, parseAmount } from '../stellar/money.js';
import { paymentReceivedSignal, type ReceivedPayment } from '../workflows/messages.js';

/**
 * The payment observer's batch (docs/payment-observer.md): read the next page of payments to one receiving
 * account after the durable cursor, record every incoming payment once and move the cursor past the page in
 * the same database transaction, then signal the matched withdrawals. Nothing is skipped: the cursor moves only
 * with the records it covers. Nothing is recorded twice: operation ids are unique. Nothing blocks the stream: a
 * payment that matches nothing is recorded as unmatched and the cursor moves on.
 */

const INCOMING_TYPES = new Set(['payment', 'path_payment_strict_send', 'path_payment_strict_receive']);

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

  async function loadCandidates(account: string, incoming: IncomingPayment[]): Promise<PendingWithdrawal[]> {
    const memos = [...new Set(incoming.flatMap(candidateMemos))];
    const muxed = [...new Set(incoming.map((p) => p.toMuxed).filter((m): m is string => !!m))];
    if (memos.length === 0 && muxed.length === 0) return [];
    const rows = await withdrawalsAwaitingPayment(db, account, { memos, muxed });
    return rows.map((r) => ({
      id: r.id,
      withdrawAnchorAccount: r.withdraw_anchor_account!,
      memo: r.memo,
      memoType: r.memo_type,
      asset: { code: r.asset_code, issuer: r.asset_issuer },
      amount: r.amount_in ?? r.amount_expected,
    }));
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
    return incoming.map(({ rec, tx, payment }) => {
      const match = matchPayment(payment, candidates);
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
        transaction_id: match.matched ? match.withdrawal.id : null,
        mismatch: match.matched ? match.mismatch : null,
        unmatched_reason: match.matched ? null : match.reason,
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
      for (;;) {
        const cursor = await readCursor(db, account);
        const records = await fetchPage(account, cursor, limit);
        if (records.length > 0) {
          const rows = await toRows(account, records);
          const next = records[records.length - 1]!.paging_token;
          const recorded = await recordPage(db, account, cursor, next, rows);
          if (recorded === null) continue; // another attempt recorded this page first: read on from its cursor
          signalled += await signalMatched(account);
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

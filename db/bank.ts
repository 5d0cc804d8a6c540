import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { DepositMatching } from '../config/index.js';
import {
  type BankPayoutsTable,
  type BankTransfersTable,
  type Database,
  FINAL_STATUSES,
  type TransactionStatus,
  type UnmatchedBankTransfersTable,
  type UnmatchedReason,
} from './schema.js';

/**
 * Repositories of the bank rails: incoming transfers (recorded once by the bank's transfer id), the reads and
 * writes the matching policy (core/bank/matching.ts) decides with, the operator queue of unmatched transfers, the polling cursor, virtual accounts and payouts.
 * Each function takes `(db | trx)` first.
 */
type Conn = Kysely<Database> | Transaction<Database>;

export type BankTransferRow = Selectable<BankTransfersTable>;
export type UnmatchedBankTransferRow = Selectable<UnmatchedBankTransfersTable>;
export type BankPayoutRow = Selectable<BankPayoutsTable>;
export type UnmatchedState = 'open' | 'attached' | 'refunded';

/** An incoming transfer as any bank adapter (webhook or polling) reports it. Amount is a decimal string. */
export interface IncomingBankTransfer {
  id: string;
  eventId?: string | null;
  reference: string;
  amount: string;
  currency: string;
  fromAccount: string;
  fromName?: string | null;
  toAccount?: string | null;
  userId?: string | null;
  bookedAt: Date;
}

/** Stores the transfer once; a repeat (same transfer by webhook and polling, or a redelivery) changes nothing. */
export async function recordBankTransfer(
  db: Conn,
  t: IncomingBankTransfer,
  source: BankTransfersTable['source'],
): Promise<{ row: BankTransferRow; created: boolean }> {
  const inserted = await db
    .insertInto('bank_transfers')
    .values({
      id: t.id,
      event_id: t.eventId ?? null,
      source,
      reference: t.reference,
      amount: t.amount,
      currency: t.currency,
      from_account: t.fromAccount,
      from_name: t.fromName ?? null,
      to_account: t.toAccount ?? null,
      user_id: t.userId ?? null,
      booked_at: t.bookedAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const row = await db
    .selectFrom('bank_transfers')
    .selectAll()
    .where('id', '=', t.id)
    .executeTakeFirstOrThrow();
  return { row, created: false };
}

export function getBankTransfer(db: Conn, id: string): Promise<BankTransferRow | undefined> {
  return db.selectFrom('bank_transfers').selectAll().where('id', '=', id).executeTakeFirst();
}

interface Candidate {
  id: string;
  status: TransactionStatus;
  /** The transfer amount equals the deposit's announced amount (numerically). */
  amount_matches: boolean;
  /** The off-chain asset the deposit converts from (iso4217:BRL); null: the bank currency, 1:1. */
  offchain_asset: string | null;
}
export type DepositCandidate = Candidate;

/**
 * Deposits a transfer could belong to under the strategy, live ones first (at most 20). `reference` is the
 * transfer's description normalized by the matching policy (core/bank/matching.ts): the deposit's bank reference,
 * normalized the same way in SQL, may sit anywhere in it.
 */
export async function depositCandidates(
  db: Conn,
  t: BankTransferRow,
  strategy: DepositMatching,
  reference: string,
): Promise<Candidate[]> {
  const base = db
    .selectFrom('transactions')
    .select(['transactions.id', 'transactions.status', 'transactions.offchain_asset'])
    .select(
      sql<boolean>`coalesce(transactions.amount_expected = ${t.amount}::numeric, false)`.as('amount_matches'),
    )
    .where('transactions.kind', '=', 'deposit')
    .orderBy(sql`transactions.status in ('incomplete', 'pending_user_transfer_start')`, 'desc')
    .orderBy('transactions.started_at', 'desc')
    .limit(20);
  switch (strategy) {
    case 'reference': {
      if (reference === '') return [];
      const normalized = sql<string>`upper(regexp_replace(transactions.bank_reference, '[^A-Za-z0-9]', '', 'g'))`;
      return base
        .where('transactions.bank_reference', 'is not', null)
        .where(normalized, '<>', '')
        .where(sql<number>`strpos(${reference}, ${normalized})`, '>', 0)
        .execute();
    }
    case 'virtual_account': {
      if (!t.to_account) return [];
      const mapping = await db
        .selectFrom('bank_virtual_accounts')
        .select('sub')
        .where('account_number', '=', t.to_account)
        .executeTakeFirst();
      if (!mapping) return [];
      return base.where('transactions.sub', '=', mapping.sub).execute();
    }
    case 'user_id': {
      const userId = t.user_id?.trim();
      if (!userId) return [];
      // The bank reports our customer id (SEP-12 id) or the user's SEP-10 sub itself.
      return base
        .where((eb) =>
          eb.or([
            eb('transactions.sub', '=', userId),
            eb.exists(
              eb
                .selectFrom('customers')
                .select('customers.id')
                .where('customers.id', '=', userId)
                // The transaction's customer as customerKeyOf (db/customers.ts) derives it: an M... sub is its own.
                .where(
                  sql<boolean>`customers.account = case when transactions.sub like 'M%' then transactions.sub else transactions.sub_account end`,
                )
                .where(sql<boolean>`customers.memo = coalesce(transactions.sub_memo, '')`),
            ),
          ]),
        )
        .execute();
    }
  }
}

/** The transfer row locked for the decision, and whether another process holds its delivery lease. */
export async function lockBankTransfer(
  trx: Conn,
  transferId: string,
): Promise<{ row: BankTransferRow; leased: boolean }> {
  const { leased, ...row } = await trx
    .selectFrom('bank_transfers')
    .selectAll()
    .select(sql<boolean>`coalesce(delivering_until > now(), false)`.as('leased'))
    .where('id', '=', transferId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { row, leased };
}

/** Locks the deposit so two transfers racing for it are decided one after the other; returns its status. */
export async function lockDepositStatus(trx: Conn, transactionId: string): Promise<TransactionStatus> {
  const locked = await trx
    .selectFrom('transactions')
    .select(['id', 'status'])
    .where('id', '=', transactionId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return locked.status;
}

/** Another live (received or signalled) transfer already attached to this deposit, if any. */
export async function otherTransferFunding(
  trx: Conn,
  transactionId: string,
  transferId: string,
): Promise<{ id: string } | undefined> {
  return trx
    .selectFrom('bank_transfers')
    .select('id')
    .where('transaction_id', '=', transactionId)
    .where('id', '<>', transferId)
    .where('status', 'in', ['received', 'signalled'])
    .executeTakeFirst();
}

export async function attachTransferToDeposit(
  trx: Conn,
  transferId: string,
  transactionId: string,
): Promise<BankTransferRow> {
  return trx
    .updateTable('bank_transfers')
    .set({ transaction_id: transactionId, updated_at: new Date() })
    .where('id', '=', transferId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Others leave the transfer alone until the holder reports back or the lease (seconds) runs out. */
export async function leaseTransferDelivery(trx: Conn, transferId: string, seconds: number): Promise<void> {
  await trx
    .updateTable('bank_transfers')
    .set({ delivering_until: sql<Date>`now() + make_interval(secs => ${seconds})` })
    .where('id', '=', transferId)
    .execute();
}

/** Puts a transfer in the operator queue and marks it unmatched (callers hold it in status `received`). */
export async function queueUnmatched(
  db: Conn,
  transferId: string,
  reason: UnmatchedReason,
  detail: string,
  candidates: string[] = [],
): Promise<void> {
  await db
    .insertInto('unmatched_bank_transfers')
    .values({
      bank_transfer_id: transferId,
      reason,
      detail,
      candidate_transaction_ids: JSON.stringify(candidates),
    })
    // Re-opens an item an operator attached to a deposit that turned out not to be running.
    .onConflict((oc) =>
      oc.column('bank_transfer_id').doUpdateSet({
        reason,
        detail,
        candidate_transaction_ids: JSON.stringify(candidates),
        state: 'open',
        resolved_transaction_id: null,
        resolved_by: null,
        resolved_at: null,
      }),
    )
    .execute();
  await db
    .updateTable('bank_transfers')
    .set({ status: 'unmatched', transaction_id: null, delivering_until: null, updated_at: new Date() })
    .where('id', '=', transferId)
    .where('status', '=', 'received')
    .execute();
}

/** The deposit workflow has the transfer (the signal was accepted by Temporal). */
export async function markTransferSignalled(db: Conn, transferId: string): Promise<void> {
  await db
    .updateTable('bank_transfers')
    .set((eb) => ({
      status: 'signalled',
      delivering_until: null,
      last_error: null,
      delivery_attempts: eb('delivery_attempts', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', transferId)
    .where('status', '=', 'received')
    .execute();
}

/** Delivery failed for a reason worth retrying (Temporal unavailable): stays `received` for the poller. */
export async function markTransferDeliveryFailed(db: Conn, transferId: string, error: string): Promise<void> {
  await db
    .updateTable('bank_transfers')
    .set((eb) => ({
      delivering_until: null,
      last_error: error.slice(0, 500),
      delivery_attempts: eb('delivery_attempts', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', transferId)
    .execute();
}

/** Statuses after which a deposit takes no more money. */
const ENDED_DEPOSIT_STATUSES = FINAL_STATUSES;

/**
 * Closes the gap between "signalled" and "credited": a transfer the deposit workflow accepted as a signal but
 * never used (it arrived as the deposit expired, or after another transfer funded it) is found once the deposit
 * has ended without naming it as its external transaction, and goes to the operator queue. Returns how many.
 */
export async function queueOrphanedTransfers(db: Kysely<Database>, limit = 100): Promise<number> {
  const orphans = await db
    .selectFrom('bank_transfers as t')
    .innerJoin('transactions as x', 'x.id', 't.transaction_id')
    .select(['t.id', 'x.id as transaction_id', 'x.status', 'x.external_transaction_id'])
    .where('t.status', '=', 'signalled')
    .where('x.status', 'in', ENDED_DEPOSIT_STATUSES)
    .where((eb) =>
      eb.or([
        eb('x.external_transaction_id', 'is', null),
        eb('x.external_transaction_id', '<>', eb.ref('t.id')),
      ]),
    )
    .limit(limit)
    .execute();
  for (const o of orphans) {
    const reason: UnmatchedReason = o.external_transaction_id ? 'deposit_already_funded' : 'deposit_not_live';
    const detail = o.external_transaction_id
      ? `deposit ${o.transaction_id} was funded by transfer ${o.external_transaction_id} and ended ${o.status}`
      : `deposit ${o.transaction_id} ended ${o.status} without using this transfer`;
    await db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('bank_transfers')
        .set({ status: 'received', updated_at: new Date() })
        .where('id', '=', o.id)
        .where('status', '=', 'signalled')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 1)
        await queueUnmatched(trx, o.id, reason, detail, [o.transaction_id]);
    });
  }
  return orphans.length;
}

/** Transfers recorded but not yet delivered or queued, untouched since `before` (so in-flight ones are left be). */
export function listUndeliveredTransfers(db: Conn, before: Date, limit = 100): Promise<BankTransferRow[]> {
  return db
    .selectFrom('bank_transfers')
    .selectAll()
    .where('status', '=', 'received')
    .where('updated_at', '<', before)
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

// --- operator queue (admin API) ---------------------------------------------------------------------------------

export type UnmatchedTransferView = UnmatchedBankTransferRow & {
  amount: string;
  currency: string;
  reference: string;
  from_account: string;
  from_name: string | null;
  to_account: string | null;
  user_id: string | null;
  booked_at: Date;
};

/** The operator queue, oldest first; `state` defaults to the open items. */
export function listUnmatchedTransfers(
  db: Conn,
  opts: { state?: UnmatchedState; limit?: number } = {},
): Promise<UnmatchedTransferView[]> {
  const state = opts.state ?? 'open';
  return db
    .selectFrom('unmatched_bank_transfers as u')
    .innerJoin('bank_transfers as t', 't.id', 'u.bank_transfer_id')
    .selectAll('u')
    .select([
      't.amount',
      't.currency',
      't.reference',
      't.from_account',
      't.from_name',
      't.to_account',
      't.user_id',
      't.booked_at',
    ])
    .where('u.state', '=', state)
    .orderBy('u.created_at')
    .limit(opts.limit ?? 100)
    .execute();
}

export class UnmatchedTransferError extends Error {
  constructor(
    readonly code:
      | 'not_found'
      | 'not_open'
      | 'transaction_not_found'
      | 'not_a_deposit'
      | 'deposit_already_funded',
    message: string,
  ) {
    super(message);
    this.name = 'UnmatchedTransferError';
  }
}

/**
 * Operator decision: this unmatched transfer funds `transactionId`. Records the decision (the caller then
 * signals `deposit-<transactionId>` with the returned transfer; see attachUnmatchedTransfer in core/bank/intake.ts).
 */
/** The open item for a transfer, or the reason it cannot be acted on. */
export async function requireOpenUnmatched(db: Conn, transferId: string): Promise<UnmatchedBankTransferRow> {
  const item = await db
    .selectFrom('unmatched_bank_transfers')
    .selectAll()
    .where('bank_transfer_id', '=', transferId)
    .executeTakeFirst();
  if (!item) throw new UnmatchedTransferError('not_found', `no unmatched transfer ${transferId}`);
  if (item.state !== 'open')
    throw new UnmatchedTransferError('not_open', `transfer ${transferId} is already ${item.state}`);
  return item;
}

export async function assignUnmatchedTransfer(
  db: Kysely<Database>,
  transferId: string,
  transactionId: string,
  operator: string,
  note?: string,
): Promise<BankTransferRow> {
  return db.transaction().execute(async (trx) => {
    const item = await trx
      .selectFrom('unmatched_bank_transfers')
      .selectAll()
      .where('bank_transfer_id', '=', transferId)
      .forUpdate()
      .executeTakeFirst();
    if (!item) throw new UnmatchedTransferError('not_found', `no unmatched transfer ${transferId}`);
    if (item.state !== 'open')
      throw new UnmatchedTransferError('not_open', `transfer ${transferId} is already ${item.state}`);
    const tx = await trx
      .selectFrom('transactions')
      .select(['id', 'kind'])
      .where('id', '=', transactionId)
      .forUpdate()
      .executeTakeFirst();
    if (!tx) throw new UnmatchedTransferError('transaction_not_found', `no transaction ${transactionId}`);
    if (tx.kind !== 'deposit')
      throw new UnmatchedTransferError('not_a_deposit', `transaction ${transactionId} is not a deposit`);
    const funded = await trx
      .selectFrom('bank_transfers')
      .select('id')
      .where('transaction_id', '=', transactionId)
      .where('id', '<>', transferId)
      .where('status', 'in', ['received', 'signalled'])
      .executeTakeFirst();
    if (funded) {
      throw new UnmatchedTransferError(
        'deposit_already_funded',
        `deposit already funded by transfer ${funded.id}`,
      );
    }
    await trx
      .updateTable('unmatched_bank_transfers')
      .set({
        state: 'attached',
        resolved_transaction_id: transactionId,
        resolved_by: operator,
        resolution_note: note ?? null,
        resolved_at: new Date(),
      })
      .where('bank_transfer_id', '=', transferId)
      .execute();
    return trx
      .updateTable('bank_transfers')
      .set({ status: 'received', transaction_id: transactionId, last_error: null, updated_at: new Date() })
      .where('id', '=', transferId)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/**
 * Operator decision: the money went back to the sender (refundUnmatchedTransfer in activities/bank.ts pays it
 * back through the bank and calls this with the payout id; or the operator refunded by hand).
 */
export async function markUnmatchedRefunded(
  db: Kysely<Database>,
  transferId: string,
  operator: string,
  refundReference: string | null,
  note?: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('unmatched_bank_transfers')
      .set({
        state: 'refunded',
        refund_reference: refundReference,
        resolved_by: operator,
        resolution_note: note ?? null,
        resolved_at: new Date(),
      })
      .where('bank_transfer_id', '=', transferId)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) {
      const exists = await trx
        .selectFrom('unmatched_bank_transfers')
        .select('state')
        .where('bank_transfer_id', '=', transferId)
        .executeTakeFirst();
      if (!exists) throw new UnmatchedTransferError('not_found', `no unmatched transfer ${transferId}`);
      throw new UnmatchedTransferError('not_open', `transfer ${transferId} is already ${exists.state}`);
    }
    await trx
      .updateTable('bank_transfers')
      .set({ status: 'refunded', updated_at: new Date() })
      .where('id', '=', transferId)
      .execute();
  });
}

// --- polling cursor -----------------------------------------------------------------------------------------------

export async function getPollCursor(db: Conn, name: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('bank_poll_cursors')
    .select('cursor')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.cursor ?? undefined;
}

export async function setPollCursor(db: Conn, name: string, cursor: string | null): Promise<void> {
  await db
    .insertInto('bank_poll_cursors')
    .values({ name, cursor })
    .onConflict((oc) => oc.column('name').doUpdateSet({ cursor, updated_at: new Date() }))
    .execute();
}

// --- virtual accounts ---------------------------------------------------------------------------------------------

export async function saveVirtualAccount(db: Conn, sub: string, accountNumber: string): Promise<void> {
  await db
    .insertInto('bank_virtual_accounts')
    .values({ sub, account_number: accountNumber })
    .onConflict((oc) => oc.column('sub').doUpdateSet({ account_number: accountNumber }))
    .execute();
}

export async function virtualAccountOf(db: Conn, sub: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('bank_virtual_accounts')
    .select('account_number')
    .where('sub', '=', sub)
    .executeTakeFirst();
  return row?.account_number;
}

// --- payouts ------------------------------------------------------------------------------------------------------

export interface NewBankPayout {
  payoutRef: string;
  transactionId: string;
  amount: string;
  currency: string;
  destinationAccount: string;
  destinationName: string;
}

/** Records the payout before the bank is called; a repeat returns the stored one. */
export async function recordBankPayout(db: Conn, p: NewBankPayout): Promise<BankPayoutRow> {
  const inserted = await db
    .insertInto('bank_payouts')
    .values({
      payout_ref: p.payoutRef,
      transaction_id: p.transactionId,
      amount: p.amount,
      currency: p.currency,
      destination_account: p.destinationAccount,
      destination_name: p.destinationName,
    })
    .onConflict((oc) => oc.column('payout_ref').doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted ?? (await getBankPayout(db, p.payoutRef))!;
}

export function getBankPayout(db: Conn, payoutRef: string): Promise<BankPayoutRow | undefined> {
  return db.selectFrom('bank_payouts').selectAll().where('payout_ref', '=', payoutRef).executeTakeFirst();
}

export async function updateBankPayout(
  db: Conn,
  payoutRef: string,
  set: { status: BankPayoutRow['status']; bankPayoutId?: string | null; failureReason?: string | null },
): Promise<void> {
  await db
    .updateTable('bank_payouts')
    .set({
      status: set.status,
      ...(set.bankPayoutId !== undefined ? { bank_payout_id: set.bankPayoutId } : {}),
      ...(set.failureReason !== undefined ? { failure_reason: set.failureReason } : {}),
      updated_at: new Date(),
    })
    .where('payout_ref', '=', payoutRef)
    .execute();
}

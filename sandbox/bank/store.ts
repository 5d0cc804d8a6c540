import { createHash, randomBytes } from 'node:crypto';
import { type Generated, Kysely, PostgresDialect, type Selectable, sql } from 'kysely';
import pg from 'pg';
import { SANDBOX_ANCHOR_BANK_ACCOUNT } from '../../config/sandbox-keys.js';
import { assertIdentifier } from '../../db/index.js';

/**
 * The sandbox bank's own books, in its own Postgres schema (created on start): incoming transfers, the webhook
 * deliveries it owes the anchor, outgoing payouts and virtual account numbers. It stands in for a real PSP.
 */
interface TransfersTable {
  /** Insertion order; the polling cursor. Inserts are serialised so that seq order is commit order. */
  seq: Generated<string>;
  id: string;
  reference: string;
  amount: string;
  currency: string;
  from_account: string;
  from_name: string | null;
  to_account: string;
  user_id: string | null;
  booked_at: Generated<Date>;
}
interface WebhookDeliveriesTable {
  event_id: string;
  /** The event is about one transfer (`transfer.received`) or one payout (`payout.updated`). */
  transfer_id: string | null;
  payout_id: string | null;
  /** The event JSON exactly as signed and sent. */
  body: string;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Generated<Date>;
}
interface PayoutsTable {
  id: string;
  idempotency_key: string;
  request_hash: string;
  reference: string | null;
  amount: string;
  currency: string;
  account_number: string;
  account_name: string;
  status: Generated<'pending' | 'completed' | 'failed'>;
  failure_reason: string | null;
  settle_at: Date;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
interface VirtualAccountsTable {
  account_number: string;
  customer_ref: string;
  created_at: Generated<Date>;
}
interface BankDb {
  transfers: TransfersTable;
  webhook_deliveries: WebhookDeliveriesTable;
  payouts: PayoutsTable;
  virtual_accounts: VirtualAccountsTable;
}

export type TransferRow = Selectable<TransfersTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type PayoutRow = Selectable<PayoutsTable>;
export type VirtualAccountRow = Selectable<VirtualAccountsTable>;

/** The transfer as the bank's API shows it (snake_case wire format): the row without `seq`, time as ISO text. */
export type BankTransferJson = Omit<TransferRow, 'seq' | 'booked_at'> & { booked_at: string };
/** A payout as the bank's API shows it: no request hash or settlement time, creation time as ISO text. */
export type BankPayoutJson = Omit<PayoutRow, 'request_hash' | 'settle_at' | 'created_at' | 'updated_at'> & {
  created_at: string;
};
export interface TransferEvent {
  id: string;
  type: 'transfer.received';
  created: number;
  data: { transfer: BankTransferJson };
}
export interface PayoutEvent {
  id: string;
  type: 'payout.updated';
  created: number;
  data: { payout: BankPayoutJson };
}

export interface NewTransfer {
  reference: string;
  amount: string;
  currency: string;
  fromAccount: string;
  fromName?: string | null;
  toAccount?: string;
  userId?: string | null;
}
export interface NewPayout {
  idempotencyKey: string;
  reference: string | null;
  amount: string;
  currency: string;
  accountNumber: string;
  accountName: string;
}

const cursorOf = (seq: string) => `c_${seq}`;
function seqOf(cursor: string | undefined): string {
  if (!cursor) return '0';
  const m = /^c_(\d{1,18})$/.exec(cursor);
  if (!m) throw new InvalidCursorError();
  return m[1]!;
}
export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor() {
    super('cursor is not one this bank issued');
  }
}
export class IdempotencyConflictError extends Error {
  readonly code = 'idempotency_conflict';
  constructor() {
    super('Idempotency-Key was already used with different parameters');
  }
}

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export function transferJson(t: TransferRow): BankTransferJson {
  return {
    id: t.id,
    reference: t.reference,
    amount: t.amount,
    currency: t.currency,
    from_account: t.from_account,
    from_name: t.from_name,
    to_account: t.to_account,
    user_id: t.user_id,
    booked_at: t.booked_at.toISOString(),
  };
}
export function payoutJson(p: PayoutRow): BankPayoutJson {
  return {
    id: p.id,
    idempotency_key: p.idempotency_key,
    reference: p.reference,
    amount: p.amount,
    currency: p.currency,
    account_number: p.account_number,
    account_name: p.account_name,
    status: p.status,
    failure_reason: p.failure_reason,
    created_at: p.created_at.toISOString(),
  };
}

/**
 * Tester-driven payout outcomes, by the destination account number: `...0000` fails (account closed),
 * `...9999` stays pending forever, anything else completes.
 */
export function payoutOutcome(accountNumber: string): {
  status: 'completed' | 'failed' | 'pending';
  reason?: string;
} {
  if (accountNumber.endsWith('0000')) return { status: 'failed', reason: 'account_closed' };
  if (accountNumber.endsWith('9999')) return { status: 'pending' };
  return { status: 'completed' };
}

export class BankStore {
  readonly db: Kysely<BankDb>;
  constructor(
    url: string,
    readonly schema: string,
    /** The anchor's own account at this bank (ANCHOR_BANK_ACCOUNT): transfers go here unless sent to a virtual account. */
    readonly anchorAccount: string = SANDBOX_ANCHOR_BANK_ACCOUNT,
  ) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 4,
      options: `-c search_path=${assertIdentifier(schema)}`,
    });
    // An idle connection lost to a Postgres restart is dropped and replaced; unheard, it would end the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    this.db = new Kysely<BankDb>({ dialect: new PostgresDialect({ pool }) });
  }

  /** Idempotent DDL: the simulator owns its schema and creates it on start. */
  async init(): Promise<void> {
    const s = sql.id(this.schema);
    await sql`create schema if not exists ${s}`.execute(this.db);
    await sql`create table if not exists ${s}.transfers (
      seq bigserial primary key,
      id text not null unique,
      reference text not null,
      amount numeric(30, 7) not null,
      currency text not null,
      from_account text not null,
      from_name text,
      to_account text not null,
      user_id text,
      booked_at timestamptz not null default now()
    )`.execute(this.db);
    await sql`create table if not exists ${s}.webhook_deliveries (
      event_id text primary key,
      transfer_id text not null references ${s}.transfers(id),
      body text not null,
      status text not null default 'pending',
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_status integer,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(this.db);
    await sql`create table if not exists ${s}.payouts (
      id text primary key,
      idempotency_key text not null unique,
      request_hash text not null,
      reference text,
      amount numeric(30, 7) not null,
      currency text not null,
      account_number text not null,
      account_name text not null,
      status text not null default 'pending',
      failure_reason text,
      settle_at timestamptz not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(this.db);
    // Books created before payout events existed: their deliveries were all about transfers.
    await sql`alter table ${s}.webhook_deliveries alter column transfer_id drop not null`.execute(this.db);
    await sql`alter table ${s}.webhook_deliveries
      add column if not exists payout_id text references ${s}.payouts(id)`.execute(this.db);
    await sql`create table if not exists ${s}.virtual_accounts (
      account_number text primary key,
      customer_ref text not null unique,
      created_at timestamptz not null default now()
    )`.execute(this.db);
    await sql`create sequence if not exists ${s}.virtual_account_numbers`.execute(this.db);
  }

  /**
   * Books an incoming transfer and queues its webhook, in one transaction. With `leaseMs` the delivery row is
   * stored already claimed for that long (as claimDueDeliveries would), for the caller to send it at once; a
   * caller that dies first leaves it to the timer pass when the lease runs out.
   */
  async createTransfer(
    input: NewTransfer,
    leaseMs: number | null = null,
  ): Promise<{ transfer: TransferRow; event: TransferEvent; delivery: DeliveryRow }> {
    return this.db.transaction().execute(async (trx) => {
      // Serialise inserts so that a reader never sees seq N+1 committed before seq N (the cursor has no gaps).
      await sql`select pg_advisory_xact_lock(hashtext(${`${this.schema}.transfers`}))`.execute(trx);
      const transfer = await trx
        .insertInto('transfers')
        .values({
          id: newId('tr'),
          reference: input.reference,
          amount: input.amount,
          currency: input.currency,
          from_account: input.fromAccount,
          from_name: input.fromName ?? null,
          to_account: input.toAccount || this.anchorAccount,
          user_id: input.userId || null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const event: TransferEvent = {
        id: newId('evt'),
        type: 'transfer.received',
        created: Math.floor(transfer.booked_at.getTime() / 1000),
        data: { transfer: transferJson(transfer) },
      };
      const delivery = await trx
        .insertInto('webhook_deliveries')
        .values({
          event_id: event.id,
          transfer_id: transfer.id,
          body: JSON.stringify(event),
          ...(leaseMs === null
            ? {}
            : { next_attempt_at: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` }),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { transfer, event, delivery };
    });
  }

  /** Incoming transfers after `cursor`, oldest first. The returned cursor is stable: reuse it to resume. */
  async listTransfers(
    cursor: string | undefined,
    limit: number,
  ): Promise<{ transfers: TransferRow[]; nextCursor: string | null; hasMore: boolean }> {
    const after = seqOf(cursor);
    const rows = await this.db
      .selectFrom('transfers')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      transfers: page,
      nextCursor: last ? cursorOf(last.seq) : (cursor ?? null),
      hasMore: rows.length > limit,
    };
  }

  recentTransfers(limit = 20) {
    return this.db
      .selectFrom('transfers')
      .leftJoin('webhook_deliveries', 'webhook_deliveries.transfer_id', 'transfers.id')
      .selectAll('transfers')
      .select([
        'webhook_deliveries.status as delivery_status',
        'webhook_deliveries.attempts as delivery_attempts',
      ])
      .orderBy('transfers.seq', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Claims up to `limit` due deliveries for one attempt: pushes their next_attempt_at `leaseMs` ahead in the same
   * statement that picks them (rows another pass holds are skipped), so two passes never send the same event at
   * once, and a sender that dies mid-attempt leaves the row to be retried when the lease runs out.
   */
  claimDueDeliveries(limit: number, leaseMs: number): Promise<DeliveryRow[]> {
    return this.db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
      .where('event_id', 'in', (eb) =>
        eb
          .selectFrom('webhook_deliveries')
          .select('event_id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', sql<Date>`now()`)
          .orderBy('next_attempt_at')
          .orderBy('created_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
  }

  async recordDelivery(
    eventId: string,
    outcome:
      | { ok: true; status: number }
      | { ok: false; status: number | null; error: string; retryInMs: number | null },
  ): Promise<void> {
    const update = this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_status: outcome.status }))
      .where('event_id', '=', eventId);
    if (outcome.ok) {
      await update.set({ status: 'delivered', delivered_at: new Date(), last_error: null }).execute();
    } else if (outcome.retryInMs === null) {
      await update.set({ status: 'failed', last_error: outcome.error }).execute();
    } else {
      await update
        .set({ last_error: outcome.error, next_attempt_at: new Date(Date.now() + outcome.retryInMs) })
        .execute();
    }
  }

  /** Records many successful deliveries in one statement (WebhookSender batches them). */
  async recordDelivered(rows: readonly { eventId: string; status: number }[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      update webhook_deliveries d
      set status = 'delivered', delivered_at = now(), last_error = null, attempts = d.attempts + 1,
          last_status = v.status
      from (select unnest(${rows.map((r) => r.eventId)}::text[]) as event_id,
                   unnest(${rows.map((r) => r.status)}::int[]) as status) v
      where d.event_id = v.event_id`.execute(this.db);
  }

  delivery(eventId: string) {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('event_id', '=', eventId)
      .executeTakeFirst();
  }

  /**
   * Creates a payout once per Idempotency-Key. A repeat with the same parameters returns the first payout
   * (`replayed`); a repeat with different parameters is a conflict. Never pays twice.
   */
  async createPayout(
    input: NewPayout,
    settleAfterMs: number,
  ): Promise<{ payout: PayoutRow; replayed: boolean }> {
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([
          input.reference,
          input.amount,
          input.currency,
          input.accountNumber,
          input.accountName,
        ]),
      )
      .digest('hex');
    const inserted = await this.db
      .insertInto('payouts')
      .values({
        id: newId('po'),
        idempotency_key: input.idempotencyKey,
        request_hash: requestHash,
        reference: input.reference,
        amount: input.amount,
        currency: input.currency,
        account_number: input.accountNumber,
        account_name: input.accountName,
        settle_at: new Date(Date.now() + settleAfterMs),
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { payout: inserted, replayed: false };
    const existing = await this.db
      .selectFrom('payouts')
      .selectAll()
      .where('idempotency_key', '=', input.idempotencyKey)
      .executeTakeFirstOrThrow();
    if (existing.request_hash !== requestHash) throw new IdempotencyConflictError();
    return { payout: existing, replayed: true };
  }

  /**
   * Applies the tester-driven outcome to pending payouts whose settlement time has come, and queues each one's
   * `payout.updated` webhook in the same transaction (the caller then runs the sender). Returns how many settled.
   */
  async settleDuePayouts(idempotencyKey?: string): Promise<number> {
    let q = this.db
      .selectFrom('payouts')
      .selectAll()
      .where('status', '=', 'pending')
      .where('settle_at', '<=', sql<Date>`now()`);
    if (idempotencyKey) q = q.where('idempotency_key', '=', idempotencyKey);
    const due = await q.execute();
    let settled = 0;
    for (const p of due) {
      const outcome = payoutOutcome(p.account_number);
      if (outcome.status === 'pending') continue;
      const done = await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('payouts')
          .set({ status: outcome.status, failure_reason: outcome.reason ?? null, updated_at: new Date() })
          .where('id', '=', p.id)
          .where('status', '=', 'pending')
          .returningAll()
          .executeTakeFirst();
        if (!row) return false; // another pass settled it
        const event: PayoutEvent = {
          id: newId('evt'),
          type: 'payout.updated',
          created: Math.floor(row.updated_at.getTime() / 1000),
          data: { payout: payoutJson(row) },
        };
        await trx
          .insertInto('webhook_deliveries')
          .values({ event_id: event.id, payout_id: row.id, body: JSON.stringify(event) })
          .execute();
        return true;
      });
      if (done) settled++;
    }
    return settled;
  }

  payoutByKey(idempotencyKey: string) {
    return this.db
      .selectFrom('payouts')
      .selectAll()
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
  }

  recentPayouts(limit = 20) {
    return this.db.selectFrom('payouts').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
  }

  /** One account number per customer reference, the same on every call. */
  async assignVirtualAccount(customerRef: string): Promise<VirtualAccountRow> {
    const existing = await this.db
      .selectFrom('virtual_accounts')
      .selectAll()
      .where('customer_ref', '=', customerRef)
      .executeTakeFirst();
    if (existing) return existing;
    const { n } = await sql<{ n: string }>`select nextval(${`${this.schema}.virtual_account_numbers`}) as n`
      .execute(this.db)
      .then((r) => r.rows[0]!);
    await this.db
      .insertInto('virtual_accounts')
      .values({ account_number: `SB00VA${n.padStart(14, '0')}`, customer_ref: customerRef })
      .onConflict((oc) => oc.column('customer_ref').doNothing())
      .execute();
    return this.db
      .selectFrom('virtual_accounts')
      .selectAll()
      .where('customer_ref', '=', customerRef)
      .executeTakeFirstOrThrow();
  }

  recentVirtualAccounts(limit = 20) {
    return this.db
      .selectFrom('virtual_accounts')
      .selectAll()
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  async dropSchema(): Promise<void> {
    await sql`drop schema if exists ${sql.id(this.schema)} cascade`.execute(this.db);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}

import { type Kysely, sql } from 'kysely';
import { assertIdentifier } from '../../db/index.js';
import {
  type AccountEntry,
  accountFromJson,
  accountToJson,
  balanceFromJson,
  balanceToJson,
  type ClaimableBalanceEntry,
  CommittedState,
  type LedgerView,
} from './state.js';

/**
 * Postgres persistence in the sandbox's own schema (not part of the anchor's migrations). Hot state lives in
 * memory; each ledger close writes everything it changed in one transaction, so a restart resumes exactly.
 */

export interface LedgerHeader {
  seq: number;
  hash: string;
  prevHash: string;
  /** unix seconds */
  closeTime: number;
  txCount: number;
  failedTxCount: number;
  opCount: number;
  txSetOpCount: number;
  baseFee: bigint;
  baseReserve: bigint;
  totalCoins: bigint;
  feePool: bigint;
}

export interface StoredTx {
  id: bigint;
  hash: string;
  innerHash: string;
  ledger: number;
  successful: boolean;
  accounts: string[];
  record: Record<string, unknown>;
}

export interface StoredOperation {
  id: bigint;
  txHash: string;
  ledger: number;
  /** listed by /payments too */
  isPayment: boolean;
  successful: boolean;
  accounts: string[];
  record: Record<string, unknown>;
}

export interface LedgerWrite {
  header: LedgerHeader;
  view?: LedgerView;
  transactions: StoredTx[];
  operations: StoredOperation[];
}

export interface PageQuery {
  account?: string;
  /** exclusive, by id */
  cursor?: bigint;
  order: 'asc' | 'desc';
  limit: number;
  includeFailed: boolean;
  ledger?: number;
  txHash?: string;
}

export class HorizonStore {
  readonly schema: string;
  constructor(
    private readonly db: Kysely<any>,
    schema: string,
  ) {
    this.schema = assertIdentifier(schema);
  }

  private t(name: string) {
    return sql.table(`${this.schema}.${name}`);
  }

  private releaseLock: (() => void) | undefined;
  private lockDone: Promise<void> | undefined;

  /**
   * Holds a session advisory lock on the schema for as long as this instance runs, so two sandbox processes can
   * never write the same ledger (the second one fails to start with a clear message).
   */
  async lock(): Promise<void> {
    let acquired!: (ok: boolean) => void;
    let failed!: (err: unknown) => void;
    const result = new Promise<boolean>((res, rej) => {
      acquired = res;
      failed = rej;
    });
    const released = new Promise<void>((res) => {
      this.releaseLock = res;
    });
    const key = `sandbox-horizon:${this.schema}`;
    this.lockDone = this.db
      .connection()
      .execute(async (conn) => {
        const r = await sql<{ ok: boolean }>`select pg_try_advisory_lock(hashtext(${key})) as ok`.execute(
          conn,
        );
        const ok = r.rows[0]?.ok === true;
        acquired(ok);
        if (!ok) return;
        await released;
        await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
      })
      .catch((err) => failed(err));
    if (!(await result)) {
      throw new Error(`another sandbox Horizon is already running on Postgres schema ${this.schema}`);
    }
  }

  async unlock(): Promise<void> {
    this.releaseLock?.();
    await this.lockDone;
  }

  async init(): Promise<void> {
    const s = sql.id(this.schema);
    await sql`create schema if not exists ${s}`.execute(this.db);
    await sql`create table if not exists ${this.t('ledgers')} (
      seq integer primary key,
      header jsonb not null
    )`.execute(this.db);
    await sql`create table if not exists ${this.t('accounts')} (id text primary key, entry jsonb not null)`.execute(
      this.db,
    );
    await sql`create table if not exists ${this.t('claimable_balances')} (id text primary key, entry jsonb not null)`.execute(
      this.db,
    );
    await sql`create table if not exists ${this.t('transactions')} (
      id bigint primary key,
      hash text not null unique,
      inner_hash text not null,
      ledger integer not null,
      successful boolean not null,
      accounts text[] not null,
      record jsonb not null
    )`.execute(this.db);
    await sql`create index if not exists transactions_inner_hash on ${this.t('transactions')} (inner_hash)`.execute(
      this.db,
    );
    await sql`create index if not exists transactions_accounts on ${this.t('transactions')} using gin (accounts)`.execute(
      this.db,
    );
    await sql`create table if not exists ${this.t('operations')} (
      id bigint primary key,
      tx_hash text not null,
      ledger integer not null,
      is_payment boolean not null,
      successful boolean not null,
      accounts text[] not null,
      record jsonb not null
    )`.execute(this.db);
    await sql`create index if not exists operations_tx_hash on ${this.t('operations')} (tx_hash)`.execute(
      this.db,
    );
    await sql`create index if not exists operations_accounts on ${this.t('operations')} using gin (accounts)`.execute(
      this.db,
    );
  }

  async load(): Promise<{ state: CommittedState; latest: LedgerHeader | undefined }> {
    const state = new CommittedState();
    const accounts = await sql<{ entry: unknown }>`select entry from ${this.t('accounts')}`.execute(this.db);
    for (const row of accounts.rows) {
      const a = accountFromJson(row.entry);
      state.accounts.set(a.id, a);
    }
    const balances = await sql<{ entry: unknown }>`select entry from ${this.t('claimable_balances')}`.execute(
      this.db,
    );
    for (const row of balances.rows) {
      const b = balanceFromJson(row.entry);
      state.balances.set(b.id, b);
    }
    const latest = await sql<{
      header: any;
    }>`select header from ${this.t('ledgers')} order by seq desc limit 1`.execute(this.db);
    const h = latest.rows[0]?.header;
    return { state, latest: h ? headerFromJson(h) : undefined };
  }

  /** Writes one closed ledger atomically. */
  async writeLedger(w: LedgerWrite): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await sql`insert into ${this.t('ledgers')} (seq, header) values (${w.header.seq}, ${JSON.stringify(headerToJson(w.header))}::jsonb)`.execute(
        trx,
      );
      if (w.view) {
        const upserts: [string, string][] = [];
        const deletes: string[] = [];
        for (const [id, e] of w.view.accounts) {
          if (e) upserts.push([id, JSON.stringify(accountToJson(e as AccountEntry))]);
          else deletes.push(id);
        }
        for (const chunk of chunks(upserts, 2000)) {
          await sql`insert into ${this.t('accounts')} (id, entry) values ${sql.join(
            chunk.map(([id, e]) => sql`(${id}, ${e}::jsonb)`),
          )} on conflict (id) do update set entry = excluded.entry`.execute(trx);
        }
        if (deletes.length)
          await sql`delete from ${this.t('accounts')} where id = any(${deletes})`.execute(trx);
        const bUpserts: [string, string][] = [];
        const bDeletes: string[] = [];
        for (const [id, e] of w.view.balances) {
          if (e) bUpserts.push([id, JSON.stringify(balanceToJson(e as ClaimableBalanceEntry))]);
          else bDeletes.push(id);
        }
        for (const chunk of chunks(bUpserts, 2000)) {
          await sql`insert into ${this.t('claimable_balances')} (id, entry) values ${sql.join(
            chunk.map(([id, e]) => sql`(${id}, ${e}::jsonb)`),
          )} on conflict (id) do update set entry = excluded.entry`.execute(trx);
        }
        if (bDeletes.length) {
          await sql`delete from ${this.t('claimable_balances')} where id = any(${bDeletes})`.execute(trx);
        }
      }
      for (const chunk of chunks(w.transactions, 1000)) {
        await sql`insert into ${this.t('transactions')} (id, hash, inner_hash, ledger, successful, accounts, record) values ${sql.join(
          chunk.map(
            (t) =>
              sql`(${t.id.toString()}, ${t.hash}, ${t.innerHash}, ${t.ledger}, ${t.successful}, ${t.accounts}::text[], ${JSON.stringify(t.record)}::jsonb)`,
          ),
        )}`.execute(trx);
      }
      for (const chunk of chunks(w.operations, 1000)) {
        await sql`insert into ${this.t('operations')} (id, tx_hash, ledger, is_payment, successful, accounts, record) values ${sql.join(
          chunk.map(
            (p) =>
              sql`(${p.id.toString()}, ${p.txHash}, ${p.ledger}, ${p.isPayment}, ${p.successful}, ${p.accounts}::text[], ${JSON.stringify(p.record)}::jsonb)`,
          ),
        )}`.execute(trx);
      }
    });
  }

  async ledger(seq: number): Promise<LedgerHeader | undefined> {
    const r = await sql<{ header: any }>`select header from ${this.t('ledgers')} where seq = ${seq}`.execute(
      this.db,
    );
    return r.rows[0] ? headerFromJson(r.rows[0].header) : undefined;
  }

  async ledgers(q: PageQuery): Promise<LedgerHeader[]> {
    const cursor = q.cursor !== undefined ? Number(q.cursor) : undefined;
    const r =
      q.order === 'asc'
        ? await sql<{
            header: any;
          }>`select header from ${this.t('ledgers')} where seq > ${cursor ?? 0} order by seq asc limit ${q.limit}`.execute(
            this.db,
          )
        : await sql<{
            header: any;
          }>`select header from ${this.t('ledgers')} where seq < ${cursor ?? 2 ** 31 - 1} order by seq desc limit ${q.limit}`.execute(
            this.db,
          );
    return r.rows.map((x) => headerFromJson(x.header));
  }

  /** By the envelope's hash or, for fee bumps, the inner transaction's hash (as Horizon does). */
  async transaction(hash: string): Promise<Record<string, unknown> | undefined> {
    const r = await sql<{ record: Record<string, unknown> }>`select record from ${this.t('transactions')}
      where hash = ${hash} or inner_hash = ${hash} order by id limit 1`.execute(this.db);
    return r.rows[0]?.record;
  }

  async transactionsByHash(hashes: string[]): Promise<Map<string, Record<string, unknown>>> {
    if (hashes.length === 0) return new Map();
    const r = await sql<{
      hash: string;
      record: Record<string, unknown>;
    }>`select hash, record from ${this.t('transactions')}
      where hash = any(${hashes})`.execute(this.db);
    return new Map(r.rows.map((x) => [x.hash, x.record]));
  }

  async transactions(q: PageQuery) {
    return this.page<Record<string, unknown>>('transactions', q);
  }

  async operations(q: PageQuery & { paymentsOnly?: boolean }) {
    return this.page<Record<string, unknown>>('operations', q);
  }

  async operation(id: bigint): Promise<Record<string, unknown> | undefined> {
    const r = await sql<{
      record: Record<string, unknown>;
    }>`select record from ${this.t('operations')} where id = ${id.toString()}`.execute(this.db);
    return r.rows[0]?.record;
  }

  private async page<T>(
    table: 'transactions' | 'operations',
    q: PageQuery & { paymentsOnly?: boolean },
  ): Promise<T[]> {
    const conds = [];
    if (q.account) conds.push(sql`accounts @> array[${q.account}]::text[]`);
    if (q.ledger !== undefined) conds.push(sql`ledger = ${q.ledger}`);
    if (q.txHash !== undefined)
      conds.push(table === 'operations' ? sql`tx_hash = ${q.txHash}` : sql`hash = ${q.txHash}`);
    if (q.paymentsOnly) conds.push(sql`is_payment`);
    if (!q.includeFailed) conds.push(sql`successful`);
    if (q.cursor !== undefined) {
      conds.push(q.order === 'asc' ? sql`id > ${q.cursor.toString()}` : sql`id < ${q.cursor.toString()}`);
    }
    const where = conds.length ? sql`where ${sql.join(conds, sql` and `)}` : sql``;
    const order = q.order === 'asc' ? sql`order by id asc` : sql`order by id desc`;
    const r = await sql<{
      record: T;
    }>`select record from ${this.t(table)} ${where} ${order} limit ${q.limit}`.execute(this.db);
    return r.rows.map((x) => x.record);
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function headerToJson(h: LedgerHeader) {
  return {
    ...h,
    baseFee: h.baseFee.toString(),
    baseReserve: h.baseReserve.toString(),
    totalCoins: h.totalCoins.toString(),
    feePool: h.feePool.toString(),
  };
}

function headerFromJson(j: any): LedgerHeader {
  return {
    ...j,
    baseFee: BigInt(j.baseFee),
    baseReserve: BigInt(j.baseReserve),
    totalCoins: BigInt(j.totalCoins),
    feePool: BigInt(j.feePool),
  };
}

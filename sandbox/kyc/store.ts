import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { assertIdentifier } from '../../db/index.js';
import type { SandboxCheck } from './server.js';

/**
 * The sandbox KYC provider's own books, in its own Postgres schema (created on start) like the sandbox bank's:
 * every check, when it is to be decided and how its webhook delivery stands. A restarted provider reloads the
 * checks not yet delivered and carries on, so a verdict is never lost with the process.
 */
interface ChecksTable {
  id: string;
  reference: string;
  tier: number;
  verdict: SandboxCheck['verdict'];
  status: SandboxCheck['status'];
  attempts: number;
  field_names: string[];
  decide_at: Date;
  created_at: Date;
}
interface KycDb {
  checks: ChecksTable;
}

export interface StoredCheck {
  check: SandboxCheck;
  decideAt: Date;
}

export class KycCheckStore {
  private readonly db: Kysely<KycDb>;
  constructor(
    url: string,
    readonly schema: string,
  ) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 2,
      options: `-c search_path=${assertIdentifier(schema)}`,
    });
    // A pool error between queries (Postgres restarting) must not take the simulator down; the next query retries.
    pool.on('error', () => {});
    this.db = new Kysely<KycDb>({ dialect: new PostgresDialect({ pool }) });
  }

  /** Idempotent DDL: the simulator owns its schema. */
  async init(): Promise<void> {
    const s = sql.id(this.schema);
    await sql`create schema if not exists ${s}`.execute(this.db);
    await sql`create table if not exists ${s}.checks (
      id text primary key,
      reference text not null unique,
      tier integer not null,
      verdict text not null,
      status text not null,
      attempts integer not null default 0,
      field_names jsonb not null,
      decide_at timestamptz not null,
      created_at timestamptz not null default now()
    )`.execute(this.db);
  }

  /** Stores a new check; when its reference exists already (a resent check), answers the stored one instead. */
  async insert(check: SandboxCheck, decideAt: Date): Promise<SandboxCheck> {
    await this.db
      .insertInto('checks')
      .values({
        id: check.id,
        reference: check.reference,
        tier: check.tier,
        verdict: check.verdict,
        status: check.status,
        attempts: check.attempts,
        field_names: JSON.stringify(check.fieldNames) as unknown as string[],
        decide_at: decideAt,
        created_at: new Date(),
      })
      .onConflict((oc) => oc.column('reference').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('checks')
      .selectAll()
      .where('reference', '=', check.reference)
      .executeTakeFirstOrThrow();
    return toCheck(row);
  }

  async save(check: SandboxCheck): Promise<void> {
    await this.db
      .updateTable('checks')
      .set({ status: check.status, attempts: check.attempts })
      .where('id', '=', check.id)
      .execute();
  }

  /** Every check, oldest first (loaded once on start). */
  async all(): Promise<StoredCheck[]> {
    const rows = await this.db.selectFrom('checks').selectAll().orderBy('created_at').execute();
    return rows.map((r) => ({ check: toCheck(r), decideAt: r.decide_at }));
  }

  async dropSchema(): Promise<void> {
    await sql`drop schema if exists ${sql.id(this.schema)} cascade`.execute(this.db);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}

function toCheck(r: ChecksTable): SandboxCheck {
  return {
    id: r.id,
    reference: r.reference,
    tier: r.tier,
    verdict: r.verdict,
    status: r.status,
    attempts: r.attempts,
    fieldNames: r.field_names,
  };
}

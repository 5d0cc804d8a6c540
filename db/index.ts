import {
  type DatabaseIntrospector,
  Kysely,
  type Migration,
  type MigrationResultSet,
  Migrator,
  PostgresDialect,
  sql,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export type Db = Kysely<Database>;

// NUMERIC (1700) stays a string (pg's default); BIGINT (20) too. Nothing becomes a float.

export interface DbOptions {
  url: string;
  poolSize?: number;
  /** Postgres schema to use via search_path (each test file gets its own). */
  schema?: string;
  /**
   * A connection that fails (Postgres restarting: "terminating connection due to administrator command") is
   * dropped by the pool and the next query opens a new one; this only hears about it. Without a listener the
   * pool's (or the client's) 'error' event would end the process.
   */
  onPoolError?: (err: Error) => void;
}

export function createDb({ url, poolSize = 10, schema, onPoolError }: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    ...(schema ? { options: `-c search_path=${assertIdentifier(schema)}` } : {}),
  });
  pool.on('error', (err) => onPoolError?.(err));
  // A connection checked out but between queries (a transaction, an advisory lock held on one connection) that
  // Postgres terminates emits 'error' on its client, not on the pool: heard here too, the query in flight (if
  // any) fails as usual, and the pool drops the dead client when it comes back.
  pool.on('connect', (client) => client.on('error', (err) => onPoolError?.(err)));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

export function assertIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid Postgres identifier: ${name}`);
  return name;
}

/**
 * What the Migrator asks of introspection (does the schema exist, do its two tables), answered for one schema only.
 * Kysely's own Postgres introspector scans every schema and calls has_schema_privilege / pg_get_serial_sequence
 * by name, so a schema another session drops during that scan failed our migration with 'schema "…" does not
 * exist' (test files, other apps sharing the database). `schema` undefined is the connection's current schema.
 */
function oneSchemaIntrospector(db: Kysely<any>, schema: string | undefined): DatabaseIntrospector {
  const target = sql`coalesce(${schema ?? null}::text, current_schema())`;
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${target} and c.relkind in ('r', 'p', 'v', 'm')`.execute(db);
    return rows.map((r) => ({
      name: r.name,
      schema: r.schema,
      isView: r.kind === 'v' || r.kind === 'm',
      columns: [],
    }));
  };
  return {
    async getSchemas() {
      const { rows } = await sql<{ name: string }>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${target}`.execute(db);
      return rows;
    },
    getTables,
    async getMetadata() {
      return { tables: await getTables() };
    },
  };
}

/** `db` with its introspection narrowed to one schema; everything else is the same instance's. */
function scopedToSchema(db: Kysely<any>, schema: string | undefined): Kysely<any> {
  const introspection = oneSchemaIntrospector(db, schema);
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspection;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function migrator(db: Kysely<any>, schema?: string): Migrator {
  return new Migrator({
    db: scopedToSchema(db, schema),
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

export class MigrationError extends Error {
  readonly code = 'migration_failed';
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(
      `migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  const { error, results }: MigrationResultSet = await migrator(db, schema).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface MigrationStatus {
  name: string;
  executedAt: Date | undefined;
}

export async function migrationStatus(db: Kysely<any>, schema?: string): Promise<MigrationStatus[]> {
  const list = await migrator(db, schema).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}

export async function pingDb(db: Kysely<any>): Promise<void> {
  await sql`select 1`.execute(db);
}

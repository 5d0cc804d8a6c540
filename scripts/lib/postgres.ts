import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ANCHOR_HOME, PG_DATA, PG_PORT, pgUrl, RUN_AS_POSTGRES } from './paths.js';
import { tail } from './proc.js';

const run = promisify(execFile);

function pgBin(tool: string): string {
  const marker = join(ANCHOR_HOME, 'pg_bindir');
  if (!existsSync(marker)) throw new Error(`PostgreSQL is not set up yet: run "npm run setup" first`);
  return join(readFileSync(marker, 'utf8').trim(), tool);
}

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return RUN_AS_POSTGRES ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export async function isPostgresUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl('postgres'), connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Starts the project cluster if it is not running. Returns true when this call started it. */
export async function ensurePostgres(): Promise<boolean> {
  if (await isPostgresUp()) return false;
  if (!existsSync(join(PG_DATA, 'PG_VERSION'))) {
    throw new Error(`no Postgres cluster at ${PG_DATA}: run "npm run setup" first`);
  }
  const [cmd, args] = asPostgres(pgBin('pg_ctl'), [
    '-D',
    PG_DATA,
    '-l',
    join(PG_DATA, 'server.log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  try {
    await run(cmd, args);
  } catch (err) {
    const log = tail(join(PG_DATA, 'server.log'), 15);
    throw new Error(`could not start Postgres on port ${PG_PORT}: ${(err as Error).message}\n${log}`);
  }
  return true;
}

export async function stopPostgres(): Promise<void> {
  const [cmd, args] = asPostgres(pgBin('pg_ctl'), ['-D', PG_DATA, '-m', 'fast', '-w', 'stop']);
  await run(cmd, args).catch(() => {});
}

/** Creates `database` if it does not exist. Safe to call concurrently. */
export async function ensureDatabase(database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const client = new pg.Client({ connectionString: pgUrl('postgres') });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`create database ${database}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // duplicate_database: created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

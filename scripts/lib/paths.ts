import { homedir } from 'node:os';
import { join } from 'node:path';

/** Mirrors scripts/env.sh: where setup puts tools and state, outside the checkout. */
const env = process.env;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export const TEMPORAL_CLI_VERSION = env.TEMPORAL_CLI_VERSION ?? '1.9.1';
export const TEMPORAL_TEST_SERVER_VERSION = env.TEMPORAL_TEST_SERVER_VERSION ?? '1.40.0';
export const ANCHOR_CACHE =
  env.ANCHOR_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stellar-anchor');
export const ANCHOR_HOME =
  env.ANCHOR_HOME ??
  (isRoot
    ? '/var/lib/stellar-anchor'
    : join(env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'stellar-anchor'));
/** Where `npm start` keeps its lock, logs and the Temporal dev server's file (tests point it elsewhere). */
export const ANCHOR_RUN_DIR = env.ANCHOR_RUN_DIR ?? ANCHOR_HOME;
/** The Temporal dev server's UI port under `npm start`; 0 runs it headless. */
export const TEMPORAL_UI_PORT = Number(env.ANCHOR_TEMPORAL_UI_PORT ?? 8233);
export const PG_DATA = env.ANCHOR_PG_DATA ?? join(ANCHOR_HOME, 'postgres');
export const PG_PORT = Number(env.ANCHOR_PG_PORT ?? 54329);
export const PG_USER = env.ANCHOR_PG_USER ?? 'anchor';
export const PG_PASSWORD = env.ANCHOR_PG_PASSWORD ?? 'anchor';
export const TEMPORAL_CLI = join(ANCHOR_CACHE, 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
export const TEMPORAL_TEST_SERVER = join(
  ANCHOR_CACHE,
  'temporal-test-server',
  TEMPORAL_TEST_SERVER_VERSION,
  'temporal-test-server',
);
export const SCHEMATHESIS_VERSION = env.SCHEMATHESIS_VERSION ?? '4.32.5';
/** The API schema fuzz test's tool (scripts/setup.sh installs it into a virtualenv of its own). */
export const SCHEMATHESIS = join(ANCHOR_CACHE, 'schemathesis', SCHEMATHESIS_VERSION, 'bin', 'schemathesis');
export const RUN_AS_POSTGRES = isRoot;

export function pgUrl(database: string): string {
  return `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/${database}`;
}

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { TEMPORAL_CLI } from './paths.js';

/** The workflows' custom search attributes (all keywords), registered at start. */
const SEARCH_ATTRIBUTE_FLAGS = SEARCH_ATTRIBUTES.map((key) => `${key.name}=Keyword`);

export interface DevServerOptions {
  port: number;
  uiPort?: number;
  /** SQLite file: a restart keeps running workflows. In-memory when absent. */
  dbFile?: string;
  logFile?: string;
  headless?: boolean;
  /** In its own process group: a terminal's Ctrl-C reaches only the supervisor, which stops it last. */
  detached?: boolean;
}

export function startTemporalDevServer(opts: DevServerOptions): ChildProcess {
  if (!existsSync(TEMPORAL_CLI))
    throw new Error(`Temporal CLI not found at ${TEMPORAL_CLI}: run "npm run setup"`);
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--log-level',
    'warn',
  ];
  if (opts.headless || opts.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort), '--ui-ip', '127.0.0.1');
  if (opts.dbFile) {
    mkdirSync(dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  // Fast visibility for tests and operators, and frequent enough task-queue/namespace refresh.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  for (const sa of SEARCH_ATTRIBUTE_FLAGS) args.push('--search-attribute', sa);
  const out = opts.logFile ? openSync(opts.logFile, 'a') : 'ignore';
  return spawn(TEMPORAL_CLI, args, { stdio: ['ignore', out, out], detached: opts.detached ?? false });
}

/** Waits until the frontend answers and the namespace is served, or throws after `timeoutMs`. */
export async function waitForTemporal(
  address: string,
  namespace = 'default',
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `Temporal at ${address} did not become ready: ${(lastError as Error)?.message ?? 'timeout'}`,
  );
}

export async function isTemporalUp(address: string): Promise<boolean> {
  try {
    await waitForTemporal(address, 'default', 1500);
    return true;
  } catch {
    return false;
  }
}

import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newAdminKey } from '../../config/admin-keys.js';
import { ANCHOR_HOME } from './paths.js';

/**
 * The sandbox operator key of `npm start` (issue 13): a fresh all-scopes admin key each run, printed once with the
 * console URL. Only its ADMIN_API_KEYS entry (name and SHA-256) is kept, in ANCHOR_HOME outside the checkout, so
 * the processes npm start runs and a later `npm run doctor` see the same key; the raw key is never written down.
 */
export const SANDBOX_OPERATOR = 'sandbox-operator';
const ENTRY_FILE = join(ANCHOR_HOME, 'sandbox-operator-key.entry');

const withoutOperator = (keys: string | undefined) =>
  (keys ?? '')
    .split(/[;\n]+/)
    .map((e) => e.trim())
    .filter((e) => e && !e.startsWith(`${SANDBOX_OPERATOR}:`));

/** Creates this run's key, adds its entry to `env.ADMIN_API_KEYS` and stores the entry; returns the raw key. */
export function issueSandboxOperatorKey(env: NodeJS.ProcessEnv, file = ENTRY_FILE): string {
  if (env.ADMIN_API_KEYS?.trim().startsWith('[')) {
    throw new Error('ADMIN_API_KEYS is a JSON array; the sandbox operator key needs the ";"-separated form');
  }
  const { key, entry } = newAdminKey(SANDBOX_OPERATOR, '*');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${entry}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  env.ADMIN_API_KEYS = [...withoutOperator(env.ADMIN_API_KEYS), entry].join(';');
  return key;
}

/** For entry points run beside `npm start` (doctor): the stored sandbox operator entry joins ADMIN_API_KEYS. */
export function useSandboxOperatorKey(env: NodeJS.ProcessEnv, file = ENTRY_FILE): void {
  if ((env.PROFILE ?? 'sandbox') !== 'sandbox' || !existsSync(file)) return;
  if (env.ADMIN_API_KEYS?.trim().startsWith('[')) return;
  const entry = readFileSync(file, 'utf8').trim();
  if (entry) env.ADMIN_API_KEYS = [...withoutOperator(env.ADMIN_API_KEYS), entry].join(';');
}

/** The one time the key is shown. */
export function printOperatorKey(consoleUrl: string, key: string): void {
  console.log(`\n\x1b[1mOperator console\x1b[0m  ${consoleUrl}`);
  console.log(`  admin key (all scopes, this run only; shown once, never stored): ${key}`);
}

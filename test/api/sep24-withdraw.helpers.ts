import { Keypair } from '@stellar/stellar-sdk';
import { createSep24Api, type Sep24Api } from './sep24.helpers.js';

export { jsonPost } from './sep24.helpers.js';

/**
 * The withdraw endpoint over a fresh schema and the real Temporal dev server. Workflows start on a task queue
 * of this file that no worker polls: these tests look at what the request did (row, workflow, URL), not at
 * what the workflow does next (test/workflow/withdrawal.test.ts covers that).
 */
export type WithdrawApi = Sep24Api;

export const createWithdrawApi = (env: Record<string, string> = {}): Promise<WithdrawApi> =>
  createSep24Api(env, { prefix: 'wapi', noLedger: false });

export const newAccount = () => Keypair.random().publicKey();

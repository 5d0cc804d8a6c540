import { proxyActivities } from '@temporalio/workflow';
import type { BankPollResult, createBankActivities } from '../activities/bank.js';
import { BANK_POLL } from './activity-options.js';

type BankActivities = ReturnType<typeof createBankActivities>;

const { pollBankTransfers } = proxyActivities<Pick<BankActivities, 'pollBankTransfers'>>(BANK_POLL);

/**
 * Started by the `bank-poller` Schedule (worker/bank-poller-schedule.ts) every BANK_POLL_INTERVAL_SECONDS, with
 * overlap SKIP: reads transfers the bank reports since the stored cursor, and retries those whose signal failed.
 */
export async function bankPollerWorkflow(): Promise<BankPollResult> {
  return pollBankTransfers();
}

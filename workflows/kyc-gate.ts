import type { createKycActivities } from '../activities/kyc.js';
import { compareAmounts } from '../stellar/money.js';
import { RECORDS } from './activity-options.js';
import { FailureType, isFailureOfType } from './failures.js';
import { waitForKyc } from './kyc.js';
import { proxySummarized } from './summaries.js';

const { getKycStatus } =
  proxySummarized<Pick<ReturnType<typeof createKycActivities>, 'getKycStatus'>>(RECORDS);

export interface KycGateInput {
  /** The customer: the SEP-10 account and memo the transaction belongs to. */
  account: string;
  memo: string | null;
  /** The transaction's amount: above `tier1MaxAmount` (KYC_TIER1_MAX_AMOUNT) it needs tier 2. */
  amount: string;
  tier1MaxAmount: string;
  /** How long to wait for a verdict once the customer is found undecided. */
  timeoutMs: number;
  /** Runs once, before the wait, when the customer is not decided yet (the workflow shows it waits). */
  onWaiting(): Promise<void>;
}

/**
 * The KYC step of deposits and withdrawals: the customer is accepted for the amount's tier already, or rejected,
 * or the workflow waits (registered as a waiter, woken by the kycStatus signal) until a verdict or the timeout.
 */
export async function kycGate(input: KycGateInput): Promise<'ACCEPTED' | 'REJECTED' | 'TIMEOUT'> {
  const customer = { account: input.account, memo: input.memo };
  const tier = compareAmounts(input.amount, input.tier1MaxAmount) > 0 ? 2 : 1;
  const kyc = await getKycStatus({ ...customer, tier });
  if (kyc.status === 'ACCEPTED' || kyc.status === 'REJECTED') return kyc.status;
  await input.onWaiting();
  try {
    return await waitForKyc({ ...customer, tier, timeout: input.timeoutMs });
  } catch (err) {
    if (isFailureOfType(err, FailureType.KycTimeout)) return 'TIMEOUT';
    throw err;
  }
}

import type { Duration } from '@temporalio/common';
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { createKycActivities } from '../activities/kyc.js';
import { RECORDS } from './activity-options.js';
import { FailureType } from './failures.js';
import { type KycStatusChange, kycStatusSignal } from './messages.js';
import { proxySummarized } from './summaries.js';

const { registerKycWaiter, unregisterKycWaiter } =
  proxySummarized<ReturnType<typeof createKycActivities>>(RECORDS);

export interface WaitForKycOptions {
  account: string;
  memo: string | null;
  /** The tier the operation needs (kycRequirement(config, { amount }).tier, computed outside the workflow). */
  tier: number;
  /** How long to wait for a verdict before failing with `KycTimeout`. */
  timeout: Duration;
  /** Sees every status change (e.g. NEEDS_INFO) so the caller can update its transaction. */
  onChange?: (change: KycStatusChange) => void;
}

/**
 * Waits until the customer is ACCEPTED for `tier` or REJECTED (issue 6). Deterministic: registers as a waiter
 * (an activity that also returns the current status), then `condition()` on the `kycStatus` signal.
 * Throws a non-retryable `KycTimeout` ApplicationFailure when the timeout passes first.
 */
export async function waitForKyc(opts: WaitForKycOptions): Promise<'ACCEPTED' | 'REJECTED'> {
  let outcome: 'ACCEPTED' | 'REJECTED' | undefined;
  const memo = opts.memo ?? '';
  setHandler(kycStatusSignal, (change) => {
    if (change.account !== opts.account || (change.memo ?? '') !== memo) return;
    opts.onChange?.(change);
    if (change.status === 'REJECTED') outcome = 'REJECTED';
    else if (change.status === 'ACCEPTED' && change.tier >= opts.tier) outcome = 'ACCEPTED';
  });
  const now = await registerKycWaiter({ account: opts.account, memo: opts.memo, tier: opts.tier });
  if (outcome === undefined && (now.status === 'ACCEPTED' || now.status === 'REJECTED')) outcome = now.status;
  if (outcome === undefined) {
    const decided = await condition(() => outcome !== undefined, opts.timeout, {
      summary: 'Wait for the identity verification verdict',
    });
    if (!decided) {
      await unregisterKycWaiter({ account: opts.account, memo: opts.memo });
      throw ApplicationFailure.nonRetryable('KYC was not completed in time', FailureType.KycTimeout);
    }
  }
  if (now.status === 'ACCEPTED' || now.status === 'REJECTED') {
    // Decided before we registered: no webhook will come to clean the waiter row up.
    await unregisterKycWaiter({ account: opts.account, memo: opts.memo });
  }
  return outcome!;
}

import {
  type ActivityInterfaceFor,
  type ActivityOptions,
  proxyActivities,
  type TimerOptions,
} from '@temporalio/workflow';

/**
 * What an operator reads in the Temporal UI beside each activity and timer (issue 13 item 5), instead of a bare
 * activity type or "1 (1h)". Summaries are user metadata on the command, not part of the command itself, so
 * adding or rewording one keeps recorded histories replaying (test/workflow/replay.test.ts).
 */
const ACTIVITY_SUMMARIES: Record<string, string> = {
  mirrorTransactionStatus: 'Record the new status and queue the wallet callbacks',
  assignBankReference: 'Reserve the bank reference the user puts on the transfer',
  raiseAlert: 'Raise an operator alert',
  registerKycWaiter: 'Wait for identity verification: register for the verdict',
  getKycStatus: 'Read the customer’s identity verification status',
  unregisterKycWaiter: 'Stop waiting for identity verification',
  hasTrustline: 'Check the user’s trust line on Stellar',
  accountExists: 'Check that the user’s Stellar account exists',
  createAccount: 'Create the user’s Stellar account',
  sendPayment: 'Pay the deposit on Stellar',
  createClaimableBalance: 'Pay the deposit as a claimable balance',
  refundBankTransfer: 'Refund the bank transfer',
  prepareWithdrawalPayment: 'Assign the memo the user pays the withdrawal with',
  checkWithdrawalLimits: 'Check the daily and monthly withdrawal limits',
  recordWithdrawalReview: 'Record the operator review of the withdrawal',
  sendWithdrawalPayout: 'Pay the withdrawal to the user’s bank account',
  getWithdrawalPayoutState: 'Ask the bank how the payout stands',
  refundWithdrawalPayment: 'Refund the user’s Stellar payment',
};

/**
 * `proxyActivities` whose every call carries its line from ACTIVITY_SUMMARIES. Same options, same activity
 * types: only the UI text changes.
 */
export function proxySummarized<A>(options: ActivityOptions): ActivityInterfaceFor<A> {
  const plain = proxyActivities<A>(options);
  return new Proxy(plain, {
    get(target, name, receiver) {
      const summary = typeof name === 'string' ? ACTIVITY_SUMMARIES[name] : undefined;
      if (summary === undefined) return Reflect.get(target, name, receiver);
      return Reflect.get(proxyActivities<A>({ ...options, summary }), name);
    },
  });
}

/** A timer's summary with its length: `Wait for the bank transfer (up to 24 h)`. */
export function timer(what: string, ms: number): TimerOptions {
  return { summary: `${what} (up to ${humanDuration(ms)})` };
}

function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s % 86_400 === 0 && s >= 86_400) return `${s / 86_400} d`;
  if (s % 3600 === 0 && s >= 3600) return `${s / 3600} h`;
  if (s % 60 === 0 && s >= 60) return `${s / 60} min`;
  return `${s} s`;
}

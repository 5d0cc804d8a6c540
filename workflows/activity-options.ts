import type { ActivityOptions } from '@temporalio/workflow';

/**
 * The activity option presets of every shipped workflow, by what the activity does. A workflow picks a preset
 * by name (`proxyActivities<...>(RECORDS)`) instead of spelling timeouts and retries itself, so one kind of
 * side effect is retried the same way everywhere. Options are not part of a workflow's command sequence:
 * changing a preset is safe for running workflows (their next attempts use it).
 */

/** Our own Postgres (status mirror, alerts, bank references, KYC status and waiters): retried until it works. */
export const RECORDS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
} as const satisfies ActivityOptions;

/** A withdrawal's own steps (limits, memo, review rows, payout state): bounded, then the run fails visibly. */
export const WITHDRAWAL_STEPS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
} as const satisfies ActivityOptions;

/** Reads of the outside world a deposit waits on (the Stellar trust line). */
export const PARTNER_READS = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
} as const satisfies ActivityOptions;

/**
 * Deposit payouts and bank refunds: a bounded number of attempts, then the deposit stops in `error`. The
 * activities heartbeat while they wait (activities/heartbeat.ts): an attempt lost with its worker is retried
 * after `heartbeatTimeout`, not after `startToCloseTimeout`.
 */
export const DEPOSIT_PAYOUTS = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    // About 20 minutes of back-off before the deposit stops in `error`; each attempt already asks a failed read
    // again (activities/stellar.ts readAgain), so only a Horizon that stays broken uses them up.
    maximumAttempts: 10,
  },
} as const satisfies ActivityOptions;

/**
 * Withdrawal payout and refund: the rails dedupe by reference, so retries are safe; rejections are final.
 * Heartbeating like DEPOSIT_PAYOUTS, so a lost worker is noticed in seconds.
 */
export const WITHDRAWAL_MONEY = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '2 seconds',
    maximumInterval: '5 minutes',
    maximumAttempts: 30,
    nonRetryableErrorTypes: ['BankPayoutRejected', 'PaymentRejected', 'NotFound'],
  },
} as const satisfies ActivityOptions;

/** One wallet callback: backs off from seconds to an hour; a wallet down for a day stops getting this update. */
export const CALLBACK_DELIVERY = {
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    nonRetryableErrorTypes: ['CallbackUrlInvalid'],
  },
} as const satisfies ActivityOptions;

/** One pass of the bank poller: long, heartbeating, few attempts (the next Schedule run picks up the rest). */
export const BANK_POLL = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
} as const satisfies ActivityOptions;

/** One batch of the payment observer: heartbeats while it long-polls Horizon, retried until it works. */
export const OBSERVER_BATCH = {
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
} as const satisfies ActivityOptions;

/** The top-up's checks and bookkeeping. */
export const TOPUP_STEPS = {
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, maximumInterval: '1 minute' },
} as const satisfies ActivityOptions;

/** Top-up submission may wait for a ledger and a retry must look the hash up first: longer, unlimited. */
export const TOPUP_SUBMIT = {
  startToCloseTimeout: '2 minutes',
  retry: { maximumInterval: '1 minute' },
} as const satisfies ActivityOptions;

/** The health ping: fails fast, so a broken chain shows at once. */
export const HEALTH_PING = {
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
} as const satisfies ActivityOptions;

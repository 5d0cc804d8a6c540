import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * Reading the failures activities throw: an ApplicationFailure with a named type (STYLE 5), raised directly or
 * wrapped in the ActivityFailure a failed activity call rejects with. Workflows switch on the type name, so they
 * need no implementation import.
 */

/** Failure type names the workflows act on (thrown by activities, or by the workflows themselves). */
export const FailureType = {
  /** workflows/kyc.ts waitForKyc: no verdict before the timeout. */
  KycTimeout: 'KycTimeout',
  /** activities/stellar.ts StellarFailure.Underfunded: the distribution account is short of funds. */
  StellarUnderfunded: 'StellarUnderfunded',
  /** activities/stellar.ts StellarFailure.AccountExists: createAccount on an account that exists. */
  StellarAccountExists: 'StellarAccountExists',
  /** The bank refused (or returned) a withdrawal payout. */
  BankPayoutRejected: 'BankPayoutRejected',
  /** activities/quotes.ts: the conversion's price rules refuse the amount (too small to buy anything). */
  ConversionRefused: 'ConversionRefused',
} as const;

/** The ApplicationFailure type of `err` (direct or as an activity's cause), if it has one. */
export function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

export function isFailureOfType(err: unknown, type: string): boolean {
  return failureType(err) === type;
}

/** `Type: message` of an activity's failure, for operator alerts (never shown to the user). */
export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return err.cause.type ? `${err.cause.type}: ${err.cause.message}` : err.cause.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The activity failure's own message without its type: a reason fit for the user's `message`. */
export function failureReason(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

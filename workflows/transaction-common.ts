import {
  condition,
  ParentClosePolicy,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { QuoteActivities, RequoteOffer } from '../activities/quotes.js';
import type { RecordActivities, TransactionPatch } from '../activities/records.js';
import { callbackWorkflowId } from '../core/ids.js';
import type { TransactionStatus as Status } from '../db/schema.js';
import { PARTNER_READS, RECORDS } from './activity-options.js';
import { FailureType, failureReason, isFailureOfType } from './failures.js';
import { type QuoteConsent, quoteConsentSignal, transactionStatusQuery } from './messages.js';
import { transactionCallbackWorkflow } from './notify.js';
import { TransactionStatus } from './search-attributes.js';
import { proxySummarized, timer } from './summaries.js';

/**
 * What deposit and withdrawal workflows share: the status they own, exposed as a query, mirrored into Postgres
 * by an activity, kept in the TransactionStatus search attribute, and pushed to the wallet's callbacks
 * (S24-19) without ever waiting on the wallet.
 */

const { mirrorTransactionStatus } = proxySummarized<RecordActivities>(RECORDS);
const { offerRequote } = proxySummarized<Pick<QuoteActivities, 'offerRequote'>>(PARTNER_READS);

export type RequoteAnswer =
  | { outcome: 'accepted'; offer: RequoteOffer }
  | { outcome: 'declined' | 'timed_out'; offer: RequoteOffer }
  | { outcome: 'no_price'; reason: string };

/**
 * SEP38_EXPIRED_QUOTE_RULE=requote (both kinds): funds that came after their quote expired are priced again now
 * as a new firm quote reserved to the transaction; the transaction waits in `pending_user` (SEP-6 wire:
 * `pending_transaction_info_update` asking `accept_quote`) with the new amounts until the user accepts or
 * declines, or the new quote expires. Only an accepted offer is converted; the caller refunds otherwise.
 */
export async function requoteWithConsent(
  tracker: StatusTracker,
  input: { transactionId: string; sellAsset: string; buyAsset: string; sellAmount: string },
  offerMessage: (offer: RequoteOffer) => TransactionPatch['message'],
): Promise<RequoteAnswer> {
  let consent: QuoteConsent | null = null;
  let offer: RequoteOffer;
  setHandler(quoteConsentSignal, (c) => {
    if (consent === null && c.quoteId === offer?.quoteId) consent = c;
  });
  try {
    offer = await offerRequote(input);
  } catch (err) {
    if (!isFailureOfType(err, FailureType.ConversionRefused)) throw err;
    return { outcome: 'no_price', reason: failureReason(err) };
  }
  await tracker.set('pending_user', {
    amountIn: offer.sellAmount,
    amountFee: offer.fee.total,
    amountOut: offer.buyAmount,
    feeDetails: offer.fee,
    message: offerMessage(offer),
    userActionRequiredBy: offer.expiresAt,
  });
  const wait = Math.max(0, Date.parse(offer.expiresAt) - Date.now());
  await condition(
    () => consent !== null,
    wait,
    timer('Wait for the user to accept or decline the new quote', wait),
  );
  const answer = consent as QuoteConsent | null; // set by the signal handler
  if (answer === null) return { outcome: 'timed_out', offer };
  return { outcome: answer.accept ? 'accepted' : 'declined', offer };
}

/** The amounts of a fee quote as the row patch that shows them (amount_in, amount_fee, amount_out). */
export function amountsOf(quote: {
  amountIn: string;
  amountFee: string;
  amountOut: string;
}): Required<Pick<TransactionPatch, 'amountIn' | 'amountFee' | 'amountOut'>> {
  return { amountIn: quote.amountIn, amountFee: quote.amountFee, amountOut: quote.amountOut };
}

/**
 * The currency of an `iso4217:CCY` asset id (BRL), or null: core/quotes/transfer.ts currencyOf, repeated here
 * so the workflow bundle does not pull in the database code beside it.
 */
export function currencyOfAsset(assetId: string): string | null {
  const m = /^iso4217:([A-Z]{3})$/.exec(assetId);
  return m ? m[1]! : null;
}

export interface StatusTracker {
  readonly status: Status;
  /** Moves to `next` (the same status again just records the patch) and tells everyone who listens. */
  set(next: Status, patch?: TransactionPatch): Promise<void>;
}

export function trackStatus(transactionId: string, initial: Status): StatusTracker {
  let status: Status = initial;
  let callbacks = 0;
  let interactiveCallbackSent = false;
  let memo: Partial<Record<MemoAmount, string>> = {};
  setHandler(transactionStatusQuery, () => status);

  const fire = async (url: string, body: string) => {
    callbacks += 1;
    await startChild(transactionCallbackWorkflow, {
      workflowId: callbackWorkflowId(workflowInfo().workflowId, callbacks),
      taskQueue: workflowInfo().taskQueue,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [{ transactionId, url, body }],
    });
  };

  return {
    get status() {
      return status;
    },
    async set(next, patch) {
      const changed = next !== status;
      const result = await mirrorTransactionStatus({
        transactionId,
        status: next,
        ...(patch ? { patch } : {}),
      });
      status = next;
      // Only runs started with the search attributes (the API always sets them) keep them current; a namespace
      // without them registered (the time-skipping test server) must not fail the workflow task.
      if (changed && workflowInfo().typedSearchAttributes.get(TransactionStatus) !== undefined) {
        upsertSearchAttributes([{ key: TransactionStatus, value: next }]);
      }
      // Both kinds keep the same memo fields (amountIn, amountFee, amountOut); a patch that names only some of
      // them leaves the others as they were.
      if (patch && (patch.amountIn !== undefined || patch.amountOut !== undefined)) {
        const amounts = memoAmounts(patch);
        memo = { ...memo, ...amounts };
        upsertMemo(amounts);
      }
      setCurrentDetails(currentDetails(next, memo));
      const kycChanged = patch?.kycVerified !== undefined;
      if ((changed || kycChanged) && isUrl(result.onChangeCallback))
        await fire(result.onChangeCallback, result.body);
      // The one-shot `callback` goes out once, when the user has finished the interactive part (S24-19).
      if (!interactiveCallbackSent && next !== 'incomplete' && isUrl(result.interactiveCallback)) {
        interactiveCallbackSent = true;
        await fire(result.interactiveCallback, result.body);
      }
    },
  };
}

type MemoAmount = 'amountIn' | 'amountFee' | 'amountOut';

function memoAmounts(patch: TransactionPatch): Partial<Record<MemoAmount, string>> {
  const out: Partial<Record<MemoAmount, string>> = {};
  for (const key of ['amountIn', 'amountFee', 'amountOut'] as const) {
    const value = patch[key];
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}

/** The line the Temporal UI shows as the run's current details: `Status: pending_anchor · in 100 · out 99`. */
function currentDetails(status: Status, memo: Partial<Record<MemoAmount, string>>): string {
  const parts = [`Status: ${status}`];
  if (memo.amountIn) parts.push(`amount in ${memo.amountIn}`);
  if (memo.amountFee) parts.push(`fee ${memo.amountFee}`);
  if (memo.amountOut) parts.push(`amount out ${memo.amountOut}`);
  return parts.join(' · ');
}

function isUrl(v: string | null): v is string {
  return v !== null && /^https?:\/\//.test(v);
}

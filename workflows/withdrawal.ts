import { ApplicationFailure, condition, log, patched, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RequoteOffer } from '../activities/quotes.js';
import type { RecordActivities, TransactionPatch } from '../activities/records.js';
import type { WithdrawalActivities } from '../activities/withdrawal.js';
import { withdrawalPayoutRef, withdrawalRefundRef } from '../core/ids.js';
import type { WithdrawalPolicy } from '../core/policies/withdrawal.js';
import type { TransferConversion } from '../core/quotes/transfer.js';
import type { RefundPayment, Refunds, TransactionStatus as Status, TransferFee } from '../db/schema.js';
import { computeFee, withinLimits } from '../stellar/fees.js';
import { compareAmounts, formatTrimmed, parseAmount, STROOPS_PER_UNIT } from '../stellar/money.js';
import { PARTNER_READS, RECORDS, WITHDRAWAL_MONEY, WITHDRAWAL_STEPS } from './activity-options.js';
import { FailureType, failureReason, failureType } from './failures.js';
import { kycGate } from './kyc-gate.js';
import {
  type InteractiveInfo,
  interactiveCompletedSignal,
  type OperatorDecision,
  type OperatorRefundRequest,
  operatorDecisionSignal,
  operatorRefundSignal,
  type PayoutStatusReport,
  paymentReceivedSignal,
  payoutStatusSignal,
  type ReceivedPayment,
} from './messages.js';
import { proxySummarized, timer } from './summaries.js';
import { isoIn, secondsMs } from './time.js';
import { amountsOf, currencyOfAsset, requoteWithConsent, trackStatus } from './transaction-common.js';
import { type WithdrawalMessageKey, withdrawalMessage } from './withdrawal-messages.js';

/**
 * A SEP-24 withdrawal, one run per transaction (ID `withdraw-<transactionId>`):
 *
 *   incomplete ─(form done)→ pending_user_transfer_start ─(payment on Stellar)→ pending_anchor
 *     ─(approval if above threshold or flagged)→ pending_external (bank payout: its webhook, else a poll) → completed
 *
 * and the ways out: the form or the payment never comes → expired; a payment in another asset, or of another
 * amount beyond what the policy adjusts → refunded on Stellar; the operator rejects, the SLA default rejects, or
 * the bank rejects the payout → refunded (S24-33 `refunds`). Duplicate payment signals are deduplicated by
 * operation id, so a payment is paid out once.
 *
 * The policy is a snapshot of the configuration taken when the withdrawal starts (the workflow never reads the environment).
 */

export type { WithdrawalPolicy };

export interface WithdrawalInput {
  transactionId: string;
  /** The authenticated account (sub's G...): limits and KYC are per account (+ memo). */
  account: string;
  /** The sub's memo (shared accounts, G...:memo), part of the KYC key. */
  accountMemo?: string | null;
  /**
   * The SEP-12 customer whose KYC this withdrawal needs (customerKeyOf: an M... sub is its own customer, X-10).
   * Absent in runs started before it existed: then (account, accountMemo).
   */
  customer?: { account: string; memo: string };
  /** The account expected to pay (request `account`, defaults to the JWT account); may be M... */
  sourceAccount: string;
  assetCode: string;
  assetIssuer: string | null;
  /** Language of user-facing messages (the request's `lang`); the form's choice wins when it sends one. */
  lang?: string | null;
  /** Amount from the request, if the wallet sent one; the form confirms or changes it. */
  amount?: string | null;
  /** S24-14: refunds carry this memo, else the memo of the user's payment. */
  refundMemo?: { type: 'text' | 'id' | 'hash'; value: string } | null;
  policy: WithdrawalPolicy;
  /**
   * A conversion (S24-15, S6-08): the user sends the Stellar `sellAsset`, the bank pays out the off-chain
   * `buyAsset`. With a firm quote its amounts and fee are the withdrawal's; without one the payment is priced
   * when it arrives. Absent: paid out 1:1 in the policy's currency (and every run started before).
   */
  conversion?: TransferConversion | null;
}

export interface WithdrawalResult {
  status: Status;
  amountIn?: string;
  amountOut?: string;
  refunds?: Refunds;
  payoutRef?: string;
}

const acts = proxySummarized<WithdrawalActivities>(WITHDRAWAL_STEPS);
const records = proxySummarized<Pick<RecordActivities, 'raiseAlert'>>(RECORDS);
const money = proxySummarized<WithdrawalActivities>(WITHDRAWAL_MONEY);
const pricing = proxySummarized<Pick<Activities, 'priceConversion'>>(PARTNER_READS);

function percentOf(amount: string, percent: string): bigint {
  return (parseAmount(amount) * parseAmount(percent)) / (100n * STROOPS_PER_UNIT);
}

export async function withdrawalWorkflow(input: WithdrawalInput): Promise<WithdrawalResult> {
  const { transactionId, policy } = input;
  const asset = { code: input.assetCode, issuer: input.assetIssuer };
  const tracker = trackStatus(transactionId, 'incomplete');
  let lang = input.lang ?? 'en';
  const msg = (key: WithdrawalMessageKey | `period.${string}`, params?: Record<string, string>) =>
    withdrawalMessage(lang, key as WithdrawalMessageKey, params);
  let interactive: InteractiveInfo | null = null;
  const payments: ReceivedPayment[] = [];
  const seenOperations = new Set<string>();
  let decision: OperatorDecision | null = null;
  const refundPayments: RefundPayment[] = [];
  let payoutReport: PayoutStatusReport | null = null;

  setHandler(interactiveCompletedSignal, (info) => {
    if (interactive === null && tracker.status === 'incomplete') interactive = info;
  });
  setHandler(paymentReceivedSignal, (payment) => {
    // The observer may redeliver (restarts, reorgs of its cursor): one operation is one payment.
    if (seenOperations.has(payment.operationId)) return;
    seenOperations.add(payment.operationId);
    payments.push(payment);
  });
  // An operator may send a received payment back (admin API) any time before the payout goes to the bank.
  let refundRequest: OperatorRefundRequest | null = null;
  setHandler(operatorRefundSignal, (r) => {
    if (refundRequest === null) refundRequest = r;
  });
  // The bank's signed webhook settles the payout without waiting for the next poll; only our payout's first report counts.
  setHandler(payoutStatusSignal, (r) => {
    if (payoutReport === null && r.payoutRef === withdrawalPayoutRef(transactionId)) payoutReport = r;
  });
  setHandler(operatorDecisionSignal, (d) => {
    // The first decision wins. One that arrives before the review starts (an operator who saw pending_anchor
    // early) is kept for it; a withdrawal that needs no review ignores it.
    if (decision === null) decision = d;
  });

  /** Status mirrored into Postgres, the search attribute and the wallet's callbacks (transaction-common). */
  const setStatus = (next: Status, patch: TransactionPatch = {}) => tracker.set(next, patch);

  // --- 1. the hosted form --------------------------------------------------------------------------------
  const formWait = secondsMs(policy.interactiveTimeoutSeconds);
  const formDone = await condition(
    () => interactive !== null,
    formWait,
    timer('Wait for the hosted form', formWait),
  );
  if (!formDone || interactive === null) {
    await setStatus('expired', {
      message: msg('form_expired'),
      userActionRequiredBy: null,
    });
    return { status: 'expired' };
  }
  const info: InteractiveInfo = interactive;
  if (info.lang) lang = info.lang;
  const conversion = input.conversion ?? null;
  const firm = conversion?.quote ?? null;
  // With a firm quote the user sends exactly its sell_amount (S24-15); the form's amount does not change it.
  const requested = firm ? firm.sellAmount : info.amount;
  if (requested === null || compareAmounts(requested, policy.minAmount) < 0) {
    await setStatus('too_small', { message: msg('too_small', { min: policy.minAmount }) });
    return { status: 'too_small' };
  }
  if (compareAmounts(requested, policy.maxAmount) > 0) {
    await setStatus('too_large', { message: msg('too_large', { max: policy.maxAmount }) });
    return { status: 'too_large' };
  }
  const limits = await acts.checkWithdrawalLimits({
    transactionId,
    account: input.account,
    assetCode: input.assetCode,
    amount: requested,
  });
  if (!limits.ok) {
    await setStatus('error', {
      message: msg('limit', {
        period: msg(`period.${limits.limit ?? 'daily'}`),
        remaining: limits.remaining ?? '0',
      }),
    });
    return { status: 'error' };
  }

  // S6-09, S24-27: with a quote, amount_in / amount_fee / amount_out and fee_details are the quote's; a conversion
  // without one knows its fee and payout only when the payment is priced.
  const quote = firm
    ? { amountIn: firm.sellAmount, amountFee: firm.fee.total, amountOut: firm.buyAmount, breakdown: [] }
    : computeFee(requested, policy);
  const shownAmounts = firm
    ? { ...amountsOf(quote), feeDetails: firm.fee }
    : conversion
      ? { amountIn: quote.amountIn }
      : amountsOf(quote);
  let feeDetails: TransferFee | null = firm?.fee ?? null;
  const payoutCurrency = conversion ? currencyOfAsset(conversion.buyAsset) : policy.payoutCurrency;

  // --- KYC for this amount's tier: accepted already, or wait (as a registered waiter) for the verdict ------
  const verdict = await kycGate({
    account: input.customer?.account ?? input.account,
    memo: input.customer?.memo ?? input.accountMemo ?? null,
    amount: requested,
    tier1MaxAmount: policy.kycTier1MaxAmount,
    timeoutMs: secondsMs(policy.interactiveTimeoutSeconds),
    onWaiting: () =>
      setStatus('pending_anchor', {
        kycVerified: false,
        message: msg('kyc_waiting'),
        userActionRequiredBy: null,
      }),
  });
  if (verdict === 'TIMEOUT') {
    await setStatus('expired', { message: msg('kyc_expired') });
    return { status: 'expired' };
  }
  if (verdict === 'REJECTED') {
    await setStatus('error', { kycVerified: false, message: msg('kyc_rejected') });
    return { status: 'error' };
  }

  // --- 2. waiting for the user's Stellar payment --------------------------------------------------------
  const memo = await acts.prepareWithdrawalPayment({
    transactionId,
    anchorAccount: policy.anchorAccount,
    amountExpected: quote.amountIn,
    destinationMasked: info.destinationMasked ?? null,
  });
  await setStatus('pending_user_transfer_start', {
    kycVerified: true,
    ...shownAmounts,
    fromAddress: input.sourceAccount,
    userActionRequiredBy: isoIn(policy.paymentTimeoutSeconds),
    message: null,
  });
  log.info('withdrawal waiting for payment', { transactionId, memo: memo.memo });

  const paymentWait = secondsMs(policy.paymentTimeoutSeconds);
  const paid = await condition(
    () => payments.length > 0,
    paymentWait,
    timer('Wait for the user’s Stellar payment', paymentWait),
  );
  if (!paid) {
    await setStatus('expired', {
      message: msg('payment_expired'),
      userActionRequiredBy: null,
    });
    return { status: 'expired' };
  }
  const payment = payments[0]!;
  const received = formatTrimmed(parseAmount(payment.amount));
  await setStatus('pending_anchor', {
    amountIn: received,
    stellarTransactionId: payment.transactionHash,
    fromAddress: payment.from,
    userActionRequiredBy: null,
  });

  // Refunds go back to the payer on Stellar; the memo is refund_memo, else the payment's own (S24-14).
  const refundMemo =
    input.refundMemo ??
    (payment.memo && payment.memoType !== 'none' ? { type: payment.memoType, value: payment.memo } : null);

  async function refund(amount: string): Promise<boolean> {
    const ref = withdrawalRefundRef(transactionId, refundPayments.length + 1);
    try {
      const { hash } = await money.refundWithdrawalPayment({
        ref,
        destination: payment.from,
        asset: { code: payment.assetCode, issuer: payment.assetIssuer },
        amount,
        memo: refundMemo,
      });
      refundPayments.push({ id: hash, id_type: 'stellar', amount, fee: '0' });
      return true;
    } catch (err) {
      log.error('withdrawal refund failed', { transactionId, ref, type: failureType(err) });
      await records.raiseAlert({
        transactionId,
        kind: 'withdraw_refund_failed',
        message: `Refund ${ref} of ${amount} ${payment.assetCode} to ${payment.from} failed; refund it by hand.`,
      });
      return false;
    }
  }

  function refundsObject(): Refunds {
    const total = refundPayments.reduce((acc, p) => acc + parseAmount(p.amount), 0n);
    const fees = refundPayments.reduce((acc, p) => acc + parseAmount(p.fee), 0n);
    return {
      amount_refunded: formatTrimmed(total),
      amount_fee: formatTrimmed(fees),
      payments: [...refundPayments],
    };
  }

  /** Set once the approval wait has shown an estimate: every status after the decision clears it. */
  let clearEta: TransactionPatch = {};

  /** Sends back everything not yet refunded and ends in `refunded` (S24-33: amount_refunded = amount_in). */
  async function refundAll(reason: string): Promise<WithdrawalResult> {
    const already = refundPayments.reduce((acc, p) => acc + parseAmount(p.amount), 0n);
    const rest = parseAmount(received) - already;
    if (rest > 0n && !(await refund(formatTrimmed(rest)))) {
      await setStatus('error', {
        ...clearEta,
        message: msg('refund_stuck', { reason }),
      });
      return { status: 'error', amountIn: received };
    }
    const refunds = refundsObject();
    await setStatus('refunded', {
      ...clearEta,
      message: reason,
      amountFee: '0',
      // No fee was charged: fee_details says 0 too (S24-27), not the quote's fee.
      feeDetails: null,
      amountOut: '0',
      refunds,
    });
    return { status: 'refunded', amountIn: received, amountOut: '0', refunds };
  }

  // --- 3. is this the payment we asked for? (S24-22) ------------------------------------------------------
  const sameAsset =
    payment.assetCode === asset.code && (payment.assetIssuer ?? null) === (asset.issuer ?? null);
  if (!sameAsset) return refundAll(msg('wrong_asset', { paid: payment.assetCode, asset: asset.code }));

  // A quote holds for a payment made before it expired (its ledger's close time); a firm price has no tolerance:
  // any other amount goes back. A later payment is refunded, or requoted with the user's consent.
  let requoted: RequoteOffer | null = null;
  if (firm) {
    const madeAt = Date.parse(payment.ledgerClosedAt ?? new Date(Date.now()).toISOString());
    if (madeAt >= Date.parse(firm.expiresAt)) {
      if (conversion?.onExpiry !== 'requote') {
        return refundAll(msg('quote_expired', { expires: firm.expiresAt }));
      }
      const answer = await requoteWithConsent(
        tracker,
        {
          transactionId,
          sellAsset: conversion.sellAsset,
          buyAsset: conversion.buyAsset,
          sellAmount: received,
        },
        (offer) => msg('requote_offer', { received, out: offer.buyAmount, expires: offer.expiresAt }),
      );
      if (answer.outcome === 'no_price') {
        return refundAll(msg('conversion_refused', { received, reason: answer.reason }));
      }
      if (answer.outcome !== 'accepted') {
        return refundAll(
          msg(answer.outcome === 'declined' ? 'requote_declined' : 'requote_expired', {
            received,
            expires: answer.offer.expiresAt,
          }),
        );
      }
      requoted = answer.offer;
      if (!withinLimits(received, policy)) {
        return refundAll(
          msg('out_of_limits', { amount: received, min: policy.minAmount, max: policy.maxAmount }),
        );
      }
      await setStatus('pending_anchor', { message: null, userActionRequiredBy: null });
    } else if (compareAmounts(received, firm.sellAmount) !== 0) {
      return refundAll(msg('amount_mismatch', { received, requested: firm.sellAmount }));
    }
  }
  let payoutBase = received; // the part of the payment that will be paid out (before fee)
  if (!requoted && compareAmounts(received, quote.amountIn) !== 0) {
    const deviation = parseAmount(received) - parseAmount(quote.amountIn);
    const tolerance = percentOf(quote.amountIn, policy.amountTolerancePercent);
    const abs = deviation < 0n ? -deviation : deviation;
    if (policy.amountMismatch === 'refund') {
      return refundAll(msg('amount_mismatch', { received, requested: quote.amountIn }));
    }
    if (abs <= tolerance) {
      payoutBase = received; // adjust: accept the amount actually sent, recompute the fee
    } else if (deviation > 0n) {
      payoutBase = quote.amountIn; // too much: pay out what was asked, refund the excess (partial refund)
      if (!(await refund(formatTrimmed(deviation)))) {
        await setStatus('error', {
          message: msg('excess_stuck'),
        });
        return { status: 'error', amountIn: received };
      }
    } else {
      return refundAll(msg('amount_too_low', { received, requested: quote.amountIn }));
    }
    if (!withinLimits(payoutBase, policy)) {
      return refundAll(
        msg('out_of_limits', { amount: payoutBase, min: policy.minAmount, max: policy.maxAmount }),
      );
    }
  }
  let final = requoted
    ? {
        amountIn: requoted.sellAmount,
        amountFee: requoted.fee.total,
        amountOut: requoted.buyAmount,
        breakdown: [],
      }
    : firm
      ? quote
      : computeFee(payoutBase, policy);
  if (requoted) feeDetails = requoted.fee;
  if (conversion && !firm) {
    try {
      const priced = await pricing.priceConversion({
        sellAsset: conversion.sellAsset,
        buyAsset: conversion.buyAsset,
        sellAmount: payoutBase,
      });
      final = {
        amountIn: payoutBase,
        amountFee: priced.fee.total,
        amountOut: priced.buyAmount,
        breakdown: [],
      };
      feeDetails = priced.fee;
    } catch (err) {
      if (failureType(err) !== FailureType.ConversionRefused) throw err;
      return refundAll(msg('conversion_refused', { received: payoutBase, reason: failureReason(err) }));
    }
  }
  const again = await acts.checkWithdrawalLimits({
    transactionId,
    account: input.account,
    assetCode: input.assetCode,
    amount: payoutBase,
  });
  if (!again.ok) return refundAll(msg('limit_refunded', { period: msg(`period.${again.limit ?? 'daily'}`) }));

  const partialRefunds = refundPayments.length > 0 ? refundsObject() : null;
  await setStatus('pending_anchor', {
    amountFee: final.amountFee,
    amountOut: final.amountOut,
    ...(feeDetails ? { feeDetails } : {}),
    ...(partialRefunds ? { refunds: partialRefunds } : {}),
  });

  // --- 4. human approval -----------------------------------------------------------------------------------
  const reasons: string[] = [];
  if (compareAmounts(payoutBase, policy.approvalThreshold) > 0) reasons.push('amount_above_threshold');
  if (payment.from !== input.sourceAccount && payment.from !== input.account)
    reasons.push('unexpected_sender');
  if (reasons.length > 0) {
    await acts.recordWithdrawalReview({ transactionId, reasons });
    // The wallet and the hosted page show how long the review may take (SEP-24 status_eta, seconds): the SLA,
    // counted from here. Histories recorded before this left status_eta null (replay keeps that).
    const showEta = patched('withdrawal-approval-eta');
    await setStatus('pending_anchor', {
      message: msg('in_review'),
      ...(showEta ? { statusEta: policy.approvalSlaSeconds } : {}),
    });
    if (showEta) clearEta = { statusEta: null };
    const sla = secondsMs(policy.approvalSlaSeconds);
    const inTime = await condition(
      () => decision !== null || refundRequest !== null,
      sla,
      timer('Wait for an operator to approve or reject', sla),
    );
    if (!inTime && showEta && policy.approvalSlaDefault !== 'reject') {
      // Past the SLA nothing is known about when an operator decides: no estimate rather than a wrong one.
      await setStatus('pending_anchor', { statusEta: null });
    }
    if (!inTime) {
      await records.raiseAlert({
        transactionId,
        kind: 'withdraw_approval_sla',
        message: `Withdrawal ${transactionId} waited ${policy.approvalSlaSeconds}s for approval (${reasons.join(', ')}); default: ${policy.approvalSlaDefault}.`,
      });
      if (policy.approvalSlaDefault === 'reject') {
        decision = { decision: 'reject', operator: 'system:sla', reason: 'approval SLA elapsed' };
      } else {
        await condition(() => decision !== null || refundRequest !== null);
      }
    }
    const operatorRefund = refundRequest as OperatorRefundRequest | null; // set by a signal handler
    if (decision === null && operatorRefund !== null) {
      decision = {
        decision: 'reject',
        operator: operatorRefund.operator,
        reason: operatorRefund.reason ?? 'refund',
      };
    }
    const d: OperatorDecision = decision!;
    await acts.recordWithdrawalReview({ transactionId, reasons, decision: d });
    if (d.decision === 'reject') {
      return refundAll(msg('not_approved'));
    }
  }

  // --- 5. bank payout -----------------------------------------------------------------------------------------
  if (refundRequest !== null) {
    return refundAll(msg('cancelled'));
  }
  const payoutRef = withdrawalPayoutRef(transactionId);
  await setStatus('pending_external', { ...clearEta, message: null });
  let bankPayoutId: string | null = null;
  try {
    let state = await money.sendWithdrawalPayout({
      transactionId,
      payoutRef,
      amount: final.amountOut,
      currency: payoutCurrency ?? policy.payoutCurrency,
    });
    bankPayoutId = state.bankPayoutId;
    while (state.state === 'pending') {
      const poll = secondsMs(policy.payoutPollSeconds);
      // Histories recorded before the webhook path slept the whole poll interval (replay keeps that).
      if (patched('payout-status-webhook')) {
        await condition(() => payoutReport !== null, poll, timer('Wait for the bank’s payout report', poll));
      } else {
        await sleep(poll, timer('Wait, then ask the bank about the payout again', poll));
      }
      const report = payoutReport as PayoutStatusReport | null; // set by a signal handler
      if (report !== null) {
        state = { state: report.state, bankPayoutId: report.bankPayoutId ?? bankPayoutId };
      } else {
        const s = await acts.getWithdrawalPayoutState({ payoutRef });
        state = { state: s.state, bankPayoutId: s.bankPayoutId ?? bankPayoutId };
      }
      bankPayoutId = state.bankPayoutId;
    }
    if (state.state === 'failed') {
      throw ApplicationFailure.nonRetryable('the bank rejected the payout', FailureType.BankPayoutRejected);
    }
  } catch (err) {
    if (failureType(err) === FailureType.BankPayoutRejected) {
      return refundAll(msg('bank_rejected'));
    }
    await records.raiseAlert({
      transactionId,
      kind: 'withdraw_payout_failed',
      message: `Payout ${payoutRef} did not go through after retries; check the bank before retrying or refunding.`,
    });
    await setStatus('error', { message: msg('payout_delayed') });
    return { status: 'error', amountIn: received, payoutRef };
  }

  const completedRefunds = refundPayments.length > 0 ? refundsObject() : undefined;
  await setStatus('completed', {
    message: null,
    externalTransactionId: bankPayoutId ?? payoutRef,
    ...(completedRefunds ? { refunds: completedRefunds } : {}),
  });
  if (payments.length > 1) {
    await records.raiseAlert({
      transactionId,
      kind: 'withdraw_extra_payment',
      message: `Withdrawal ${transactionId} received ${payments.length} payments; only the first was paid out.`,
    });
  }
  return {
    status: 'completed',
    amountIn: received,
    amountOut: final.amountOut,
    payoutRef,
    ...(completedRefunds ? { refunds: completedRefunds } : {}),
  };
}

import { condition, log, patched, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { LocalizedMessage, RecordActivities } from '../activities/records.js';
import type { Sep24MessageKey } from '../core/i18n/sep24.js';
import { depositAccountRef, depositPaymentRef, depositRefundRef } from '../core/ids.js';
import type { TransferConversion } from '../core/quotes/transfer.js';
import type { TransferFee } from '../db/schema.js';
import { computeFee, type FeeQuote, type FeeSchedule, withinLimits } from '../stellar/fees.js';
import { compareAmounts } from '../stellar/money.js';
import { DEPOSIT_PAYOUTS, PARTNER_READS, RECORDS } from './activity-options.js';
import { FailureType, failureMessage, failureReason, isFailureOfType } from './failures.js';
import { kycGate } from './kyc-gate.js';
import {
  type BankTransferReceived,
  bankTransferReceivedSignal,
  distributionToppedUpSignal,
  type InteractiveInfo,
  interactiveCompletedSignal,
  type OperatorRefundRequest,
  operatorRefundSignal,
} from './messages.js';
import { proxySummarized, timer } from './summaries.js';
import { isoIn, secondsMs } from './time.js';
import { amountsOf, currencyOfAsset, requoteWithConsent, trackStatus } from './transaction-common.js';

/**
 * SEP-24 deposit, one workflow per transaction (ID `deposit-<transactionId>`):
 *
 *   incomplete ─(interactive done + KYC accepted)→ pending_user_transfer_start ─(bank transfer)→ pending_anchor
 *     → [pending_trust] → pending_stellar → completed
 *
 * Side exits: expired (abandoned before funding), refunded (amount rule or trust line never added), error
 * (KYC rejected, payout failed after retries; an operator alert is raised). The workflow owns the status; the
 * API reads its Postgres mirror.
 */

export interface DepositRules extends FeeSchedule {
  minAmount: string;
  maxAmount: string;
  expirySeconds: number;
  trustTimeoutSeconds: number;
  trustPollSeconds: number;
  trustTimeoutAction: 'refund' | 'error';
  amountMismatch: 'accept' | 'refund';
  claimableBalances: boolean;
  /** KYC tier 1 covers amounts up to this (KYC_TIER1_MAX_AMOUNT); above it tier 2 is needed. */
  kycTier1MaxAmount: string;
  /**
   * S24-24: create a destination account that does not exist, with this many XLM. Absent in runs started before
   * account creation existed, and null when DEPOSIT_ACCOUNT_CREATION is off.
   */
  accountCreation?: { startingBalance: string } | null;
}

export interface DepositWorkflowInput {
  transactionId: string;
  /** The SEP-10 identity that asked (KYC is per customer = account + memo). */
  subAccount: string;
  subMemo: string | null;
  /** Paid account: G..., M... (muxed destination) or C... (S24-23). */
  destination: string;
  assetCode: string;
  assetIssuer: string;
  memo: { type: 'text' | 'id' | 'hash'; value: string } | null;
  /** The amount the wallet announced, if any (the hosted page confirms or changes it). */
  amount: string | null;
  claimableBalanceSupported: boolean;
  rules: DepositRules;
  /**
   * A conversion (S24-10, S6-08): the user sends the off-chain `sellAsset`, receives the Stellar `buyAsset`.
   * With a firm quote its amounts and fee are the transfer's; without one the transfer is priced on arrival.
   * Absent: the asset's mirrored fiat, 1:1 (and every run started before conversions existed).
   */
  conversion?: TransferConversion | null;
}

export interface DepositWorkflowResult {
  status: string;
  stellarTransactionId?: string;
}

/**
 * What this workflow calls in other families: KYC (activities/kyc.ts), Stellar payments (activities/stellar.ts)
 * and bank refunds (activities/bank.ts). Type-only: workflows never import implementations.
 */
export type DepositPartnerActivities = Pick<
  Activities,
  | 'getKycStatus'
  | 'hasTrustline'
  | 'accountExists'
  | 'sendPayment'
  | 'createAccount'
  | 'createClaimableBalance'
  | 'refundBankTransfer'
  | 'priceConversion'
>;

const records = proxySummarized<RecordActivities>(RECORDS);
const partners =
  proxySummarized<Pick<DepositPartnerActivities, 'hasTrustline' | 'accountExists' | 'priceConversion'>>(
    PARTNER_READS,
  );
const payout =
  proxySummarized<
    Pick<
      DepositPartnerActivities,
      'sendPayment' | 'createAccount' | 'createClaimableBalance' | 'refundBankTransfer'
    >
  >(DEPOSIT_PAYOUTS);

/** patched() marker of account creation (S24-24): runs recorded before it never looked the account up. */
export const ACCOUNT_CREATION_PATCH = 'deposit-account-creation';

/** A top-up is signalled best effort: re-check at least this often, and give up (error + alert) after a day. */
const TOP_UP_RECHECK_MS = 15 * 60 * 1000;
const LIQUIDITY_WAIT_MS = 24 * 60 * 60 * 1000;

export async function depositWorkflow(input: DepositWorkflowInput): Promise<DepositWorkflowResult> {
  const { transactionId, rules } = input;
  const tracker = trackStatus(transactionId, 'incomplete');

  let interactive: InteractiveInfo | undefined;
  const seenTransfers = new Set<string>();
  const transfers: BankTransferReceived[] = [];
  let toppedUp = false;
  setHandler(distributionToppedUpSignal, () => {
    toppedUp = true;
  });
  setHandler(interactiveCompletedSignal, (info) => {
    interactive ??= info;
  });
  // Dedupe by the bank's own id: a replayed or reordered webhook never pays twice.
  setHandler(bankTransferReceivedSignal, (transfer) => {
    if (seenTransfers.has(transfer.bankTransferId)) return;
    seenTransfers.add(transfer.bankTransferId);
    transfers.push(transfer);
  });

  const expire = async (key: Sep24MessageKey): Promise<DepositWorkflowResult> => {
    await tracker.set('expired', {
      message: { key },
      userActionRequiredBy: null,
      releaseBankReference: true,
    });
    return { status: 'expired' };
  };
  /** Ends in `error`: the operator gets the details in an alert, the user a message in their language. */
  const fail = async (
    kind: string,
    detail: string,
    message: LocalizedMessage,
  ): Promise<DepositWorkflowResult> => {
    await records.raiseAlert({ kind, transactionId, message: detail });
    await tracker.set('error', { message, userActionRequiredBy: null, releaseBankReference: true });
    return { status: 'error' };
  };

  // 1. The user completes the hosted pages (amount, KYC) before the deposit expires.
  await tracker.set('incomplete', { userActionRequiredBy: isoIn(rules.expirySeconds) });
  const formWait = secondsMs(rules.expirySeconds);
  if (
    !(await condition(() => interactive !== undefined, formWait, timer('Wait for the hosted form', formWait)))
  ) {
    return expire('expired_incomplete');
  }
  const conversion = input.conversion ?? null;
  const firm = conversion?.quote ?? null;
  // null: a SEP-6 deposit without an amount (S6-18); limits and fee then apply to what arrives. With a firm
  // quote the user sends exactly its sell_amount (S24-10).
  const announced = firm ? firm.sellAmount : interactive!.amount;
  // Limits are in the Stellar asset: a conversion is checked on what it buys (a firm quote now, else on arrival).
  const limitAmount = firm ? firm.buyAmount : conversion ? null : announced;
  if (limitAmount !== null && !withinLimits(limitAmount, rules)) {
    return fail(
      'deposit_amount_out_of_limits',
      `The announced amount ${limitAmount} is outside the limits.`,
      {
        key: 'amount_out_of_limits',
        params: { amount: limitAmount },
      },
    );
  }
  // S6-09, S24-27: with a quote, amount_in / amount_fee / amount_out and fee_details are the quote's.
  let feeDetails: TransferFee | null = firm?.fee ?? null;
  const quote: FeeQuote | null = firm
    ? { amountIn: firm.sellAmount, amountFee: firm.fee.total, amountOut: firm.buyAmount, breakdown: [] }
    : announced === null || conversion
      ? null
      : computeFee(announced, rules);
  const quotedAmounts = quote ? { ...amountsOf(quote), ...(firm ? { feeDetails: firm.fee } : {}) } : {};

  // 2. KYC for this amount's tier (an open amount may reach the maximum: sized by it): accepted already, or wait
  // (registered as a waiter) for the decision.
  const verdict = await kycGate({
    account: input.subAccount,
    memo: input.subMemo,
    amount: limitAmount ?? rules.maxAmount,
    tier1MaxAmount: rules.kycTier1MaxAmount,
    timeoutMs: secondsMs(rules.expirySeconds),
    onWaiting: () =>
      tracker.set('pending_anchor', {
        kycVerified: false,
        message: { key: 'kyc_waiting' },
        ...quotedAmounts,
        userActionRequiredBy: null,
      }),
  });
  if (verdict === 'TIMEOUT') return expire('expired_kyc');
  if (verdict === 'REJECTED') {
    await tracker.set('error', { kycVerified: false, message: { key: 'kyc_rejected' } });
    return { status: 'error' };
  }

  // 3. Bank transfer instructions: the user sends the money with the reference.
  await records.assignBankReference({ transactionId });
  await tracker.set('pending_user_transfer_start', {
    kycVerified: true,
    message: null,
    ...quotedAmounts,
    userActionRequiredBy: isoIn(rules.expirySeconds),
  });
  const transferWait = secondsMs(rules.expirySeconds);
  if (
    !(await condition(
      () => transfers.length > 0,
      transferWait,
      timer('Wait for the bank transfer', transferWait),
    ))
  ) {
    return expire('expired_no_transfer');
  }
  const transfer = transfers[0]!;
  const funded = {
    externalTransactionId: transfer.bankTransferId,
    fromAddress: transfer.from,
    userActionRequiredBy: null,
  };

  // 4. The amount that actually arrived decides the fee (or a refund).
  const refund = async (reason: LocalizedMessage, amount: string): Promise<DepositWorkflowResult> => {
    await tracker.set('pending_anchor', { ...funded, amountIn: amount, message: reason });
    let refundId: string;
    try {
      ({ refundId } = await payout.refundBankTransfer({
        ref: depositRefundRef(transactionId),
        bankTransferId: transfer.bankTransferId,
        amount,
        reason: `deposit ${transactionId}: ${reason.key}`,
      }));
    } catch (err) {
      return fail('deposit_refund_failed', `Refund of ${amount} failed: ${failureMessage(err)}`, {
        key: 'refund_failed',
      });
    }
    await tracker.set('refunded', {
      amountIn: amount,
      amountFee: '0',
      // No fee was charged: fee_details says 0 too (S24-27), not the quote's fee.
      feeDetails: null,
      amountOut: '0',
      message: reason,
      refunds: {
        amount_refunded: amount,
        amount_fee: '0',
        payments: [{ id: refundId, id_type: 'external', amount, fee: '0' }],
      },
      releaseBankReference: true,
    });
    return { status: 'refunded' };
  };

  /** What arrived (or what it converts to) is outside the limits: the whole transfer goes back. */
  const refundOutOfLimits = () =>
    refund({ key: 'transfer_out_of_limits', params: { received: transfer.amount } }, transfer.amount);

  let settled: FeeQuote;
  if (conversion) {
    const wrongCurrency = currencyOfAsset(conversion.sellAsset);
    if (wrongCurrency !== null && transfer.currency.toUpperCase() !== wrongCurrency) {
      return refund(
        {
          key: 'transfer_differs',
          params: { received: `${transfer.amount} ${transfer.currency}`, announced: conversion.sellAsset },
        },
        transfer.amount,
      );
    }
    const late = firm !== null && Date.parse(transfer.receivedAt) >= Date.parse(firm.expiresAt);
    if (late && conversion.onExpiry === 'requote') {
      // SEP38_EXPIRED_QUOTE_RULE=requote: a new quote at today's price, converted only if the user accepts it.
      await tracker.set('pending_anchor', { ...funded, amountIn: transfer.amount, message: null });
      const answer = await requoteWithConsent(
        tracker,
        {
          transactionId,
          sellAsset: conversion.sellAsset,
          buyAsset: conversion.buyAsset,
          sellAmount: transfer.amount,
        },
        (offer) => ({
          key: 'requote_offer',
          params: { received: transfer.amount, out: offer.buyAmount, expires: offer.expiresAt },
        }),
      );
      if (answer.outcome === 'no_price') {
        return refund(
          { key: 'conversion_refused', params: { received: transfer.amount, reason: answer.reason } },
          transfer.amount,
        );
      }
      if (answer.outcome !== 'accepted') {
        return refund(
          {
            key: answer.outcome === 'declined' ? 'requote_declined' : 'requote_expired',
            params: { received: transfer.amount, expires: answer.offer.expiresAt },
          },
          transfer.amount,
        );
      }
      const offer = answer.offer;
      if (!withinLimits(offer.buyAmount, rules)) {
        return refundOutOfLimits();
      }
      settled = {
        amountIn: offer.sellAmount,
        amountFee: offer.fee.total,
        amountOut: offer.buyAmount,
        breakdown: [],
      };
      feeDetails = offer.fee;
    } else if (firm) {
      // The quoted rate holds for funds that arrive before it expires (S24-10); later ones are sent back.
      if (late) {
        return refund(
          { key: 'quote_expired', params: { received: transfer.amount, expires: firm.expiresAt } },
          transfer.amount,
        );
      }
      if (compareAmounts(transfer.amount, firm.sellAmount) !== 0) {
        return refund(
          { key: 'transfer_differs', params: { received: transfer.amount, announced: firm.sellAmount } },
          transfer.amount,
        );
      }
      settled = quote!;
    } else {
      let priced: Awaited<ReturnType<DepositPartnerActivities['priceConversion']>>;
      try {
        priced = await partners.priceConversion({
          sellAsset: conversion.sellAsset,
          buyAsset: conversion.buyAsset,
          sellAmount: transfer.amount,
        });
      } catch (err) {
        if (!isFailureOfType(err, FailureType.ConversionRefused)) throw err;
        return refund(
          { key: 'conversion_refused', params: { received: transfer.amount, reason: failureReason(err) } },
          transfer.amount,
        );
      }
      if (!withinLimits(priced.buyAmount, rules)) {
        return refundOutOfLimits();
      }
      settled = {
        amountIn: priced.sellAmount,
        amountFee: priced.fee.total,
        amountOut: priced.buyAmount,
        breakdown: [],
      };
      feeDetails = priced.fee;
    }
  } else if (announced === null || quote === null) {
    if (!withinLimits(transfer.amount, rules)) {
      return refundOutOfLimits();
    }
    settled = computeFee(transfer.amount, rules);
  } else if (compareAmounts(transfer.amount, announced) === 0) {
    settled = quote;
  } else {
    if (rules.amountMismatch === 'refund') {
      return refund(
        { key: 'transfer_differs', params: { received: transfer.amount, announced } },
        transfer.amount,
      );
    }
    if (!withinLimits(transfer.amount, rules)) {
      return refundOutOfLimits();
    }
    settled = computeFee(transfer.amount, rules);
  }
  await tracker.set('pending_anchor', {
    ...funded,
    ...amountsOf(settled),
    ...(feeDetails ? { feeDetails } : {}),
    message: null,
  });
  // From here the anchor holds the user's money: an operator may send it back (POST /admin/transactions/:id/refund)
  // while the deposit waits for a trust line or for liquidity.
  let operatorRefund: OperatorRefundRequest | null = null;
  setHandler(operatorRefundSignal, (request) => {
    operatorRefund ??= request;
  });
  const refundedByOperator = () => refund({ key: 'operator_refund' }, settled.amountIn);

  // 5. The account (S24-24): a destination that does not exist yet is created with enough XLM for its reserve
  // and one trust line, exactly once (by ref). A contract (C...) has no account entry to create.
  const asset = { code: input.assetCode, issuer: input.assetIssuer };
  const creation = rules.accountCreation;
  if (creation && !input.destination.startsWith('C') && patched(ACCOUNT_CREATION_PATCH)) {
    if (!(await partners.accountExists(input.destination))) {
      try {
        await payout.createAccount({
          ref: depositAccountRef(transactionId),
          destination: input.destination,
          startingBalance: creation.startingBalance,
        });
      } catch (err) {
        // Someone else created it meanwhile: just what was wanted.
        if (!isFailureOfType(err, FailureType.StellarAccountExists)) {
          return fail('deposit_account_creation_failed', `CreateAccount failed: ${failureMessage(err)}`, {
            key: 'payout_failed',
          });
        }
      }
    }
  }

  // 6. The trust line: wait for it (re-checking on a durable timer), or pay a claimable balance.
  let useClaimableBalance = false;
  if (!(await partners.hasTrustline(input.destination, asset))) {
    if (rules.claimableBalances && input.claimableBalanceSupported) {
      useClaimableBalance = true;
    } else {
      await tracker.set('pending_trust', {
        message: { key: 'add_trustline', params: { asset: input.assetCode } },
        userActionRequiredBy: isoIn(rules.trustTimeoutSeconds),
      });
      const deadline = Date.now() + secondsMs(rules.trustTimeoutSeconds);
      let trusted = false;
      while (!trusted && Date.now() < deadline) {
        const recheck = Math.min(secondsMs(rules.trustPollSeconds), deadline - Date.now());
        await condition(
          () => operatorRefund !== null,
          recheck,
          timer('Wait for the user’s trust line, then check again', recheck),
        );
        if (operatorRefund !== null) return refundedByOperator();
        trusted = await partners.hasTrustline(input.destination, asset);
      }
      if (!trusted) {
        if (rules.trustTimeoutAction === 'refund') {
          return refund({ key: 'trust_timeout_refund' }, settled.amountIn);
        }
        return fail('deposit_trust_timeout', 'The trust line was not added in time.', {
          key: 'trust_timeout',
        });
      }
      await tracker.set('pending_anchor', { message: null, userActionRequiredBy: null });
    }
  }

  // 7. Pay. Idempotent by the transaction id, so a retried activity never pays twice. When the distribution
  // account is short of funds, wait in pending_anchor for a top-up (docs/operations.md), then try again.
  await tracker.set('pending_stellar', { message: null });
  const pay = async (): Promise<{ hash: string; claimableBalanceId?: string }> => {
    if (useClaimableBalance) {
      const cb = await payout.createClaimableBalance({
        ref: depositPaymentRef(transactionId),
        claimant: input.destination,
        asset,
        amount: settled.amountOut,
      });
      return { hash: cb.hash, claimableBalanceId: cb.balanceId };
    }
    return payout.sendPayment({
      ref: depositPaymentRef(transactionId),
      destination: input.destination,
      asset,
      amount: settled.amountOut,
      memo: input.memo,
      // Shares a transaction with the other payouts of the moment (PAYOUT_BATCH_WINDOW_MS) when it has no memo.
      batch: true,
    });
  };
  let paid: { hash: string; claimableBalanceId?: string } | undefined;
  const liquidityDeadline = Date.now() + LIQUIDITY_WAIT_MS;
  while (paid === undefined) {
    try {
      paid = await pay();
    } catch (err) {
      if (isFailureOfType(err, FailureType.StellarUnderfunded) && Date.now() < liquidityDeadline) {
        await records.raiseAlert({
          kind: 'deposit_distribution_underfunded',
          transactionId,
          message: `The distribution account cannot pay ${settled.amountOut} ${input.assetCode}: waiting for a top-up.`,
        });
        await tracker.set('pending_anchor', { message: { key: 'awaiting_liquidity' } });
        toppedUp = false;
        const recheck = Math.min(TOP_UP_RECHECK_MS, liquidityDeadline - Date.now());
        await condition(
          () => toppedUp || operatorRefund !== null,
          recheck,
          timer('Wait for a top-up of the distribution account', recheck),
        );
        if (operatorRefund !== null) return refundedByOperator();
        await tracker.set('pending_stellar', { message: null });
        continue;
      }
      log.error('deposit payout failed', { transactionId });
      return fail('deposit_payout_failed', `The Stellar payment failed: ${failureMessage(err)}`, {
        key: 'payout_failed',
      });
    }
  }
  await tracker.set('completed', {
    stellarTransactionId: paid.hash,
    claimableBalanceId: paid.claimableBalanceId ?? null,
    message: null,
    releaseBankReference: true,
  });

  // A second, different transfer on the same reference is money an operator must send back.
  if (transfers.length > 1) {
    await records.raiseAlert({
      kind: 'deposit_extra_transfer',
      transactionId,
      message: `${transfers.length - 1} extra bank transfer(s) arrived for this deposit and need a refund.`,
    });
  }
  return { status: 'completed', stellarTransactionId: paid.hash };
}

import { randomBytes, randomUUID } from 'node:crypto';
import { createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppConfig, Sep24AssetOperation } from '../../config/index.js';
import { maskAccount } from '../../core/bank/mask.js';
import { depositBankReference, depositWorkflowId, withdrawalWorkflowId } from '../../core/ids.js';
import { withdrawalPolicyFromConfig } from '../../core/policies/withdrawal.js';
import { FUNDING_METHODS } from '../../core/quotes/assets.js';
import { currencyOf } from '../../core/quotes/transfer.js';
import { depositInstructions, howFrom, WITHDRAW_DESTINATION_FIELDS } from '../../core/transfers/sep6-wire.js';
import { incompleteTransactionRow } from '../../core/transfers/start.js';
import { insertTransaction } from '../../db/transactions.js';
import { insertWithdrawalDetails, saveWithdrawalDestination } from '../../db/withdrawals.js';
import { encryptAtRest } from '../../stellar/crypto.js';
import { toWireNumber } from '../../stellar/money.js';
import type { depositWorkflow } from '../../workflows/deposit.js';
import { type InteractiveInfo, interactiveCompletedSignal } from '../../workflows/messages.js';
import type { withdrawalWorkflow } from '../../workflows/withdrawal.js';
import type { ApiDeps } from '../deps.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest } from '../middleware/errors.js';
import type { Router } from '../openapi/hono.js';
import { json } from '../openapi/responses.js';
import { depositWorkflowInput } from '../sep24/deposit.js';
import {
  boolField,
  callbackField,
  checkAccount,
  checkAmount,
  checkMemo,
  resolveLang,
} from '../sep24/validate.js';
import { withdrawalWorkflowInput } from '../sep24/withdraw.js';
import {
  conversionAmount,
  conversionColumns,
  reserveQuoteOrRefuse,
  startTransfer,
  transferConversion,
} from '../transfer-start.js';
import {
  depositAnswer,
  depositExchangeQuery,
  depositQuery,
  withdrawAnswer,
  withdrawExchangeQuery,
  withdrawQuery,
} from './schemas.js';

/**
 * GET /deposit and GET /withdraw (S6-04..07): the same validation rules as SEP-24, the same `incomplete` row and
 * the same DepositWorkflow / WithdrawalWorkflow, started together with the `interactiveCompleted` signal the
 * hosted pages would send: SEP-6 has every field already, so the run goes straight on to KYC (SEP-12,
 * `pending_customer_info_update`, S6-07) and then waits for the money.
 */

const errors = {
  400: { description: 'invalid request `{"error"}`' },
  403: { description: '`{"type":"authentication_required"}` (S6-02)' },
  503: { description: 'the workflow could not be started; retry' },
};

/**
 * S6-17: asset_code is checked first, before anything else (the validator sends a foreign `account`). The
 * `-exchange` kinds name the Stellar asset `destination_asset` (deposit) or `source_asset` (withdrawal).
 */
function checkAssetCode(
  config: AppConfig,
  op: Sep24AssetOperation,
  direction: string,
  code: string | undefined,
  exchange = false,
) {
  const name = !exchange ? 'asset_code' : direction === 'deposit' ? 'destination_asset' : 'source_asset';
  if (!code) throw badRequest(`${name} is required`);
  if (code !== config.stellar.assetCode) {
    throw badRequest(`${name} ${code} is not supported: see GET /info for the assets offered`);
  }
  if (!op.enabled) throw badRequest(`${direction} of ${code} is not enabled`);
  if (exchange && !config.sep38.enabled) {
    throw badRequest(`${direction}-exchange is not offered: this anchor quotes no conversions`);
  }
}

/** `funding_method`, or its deprecated alias `type` (S6-04, A-12): one of /info's funding_methods. */
function checkFundingMethod(q: { funding_method?: string; type?: string }): string {
  const method = q.funding_method ?? q.type;
  const names = FUNDING_METHODS.map((m) => m.name);
  if (!method) throw badRequest(`funding_method is required: one of ${names.join(', ')}`);
  if (!names.includes(method)) {
    throw badRequest(`funding_method ${method} is not offered: use one of ${names.join(', ')}`);
  }
  return method;
}

/**
 * A withdrawal's fee, limits and the payment the user must send are sized by the amount, so a withdrawal needs it
 * up front (SEP-6 makes it optional; give it in the validator's withdraw type parameters, S6-13). A deposit
 * does not: without one, its limits and fee apply to the transfer that arrives (S6-18).
 */
function requiredAmount(op: Sep24AssetOperation, amount: string | undefined): string {
  const checked = checkAmount(op, amount);
  if (checked === null) throw badRequest('amount is required by this anchor');
  return checked;
}

function parseField<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  name: string,
  value: string | undefined,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(`${name} is invalid`);
  return r.data;
}

const etaSeconds = 24 * 3600;

export function registerSep6Transfers(app: Router<AuthEnv>, deps: ApiDeps) {
  const { config, db } = deps;
  const auth = requireSep10(config, 'sep24');
  const deposit = json(depositAnswer, 'instructions and the transaction id');
  const withdrawal = json(withdrawAnswer, 'the transaction id; poll /transaction for the memo');
  /** The four SEP-6 start routes differ in path, summary, query schema and answer only. */
  const transferRoute = <
    Q extends
      | typeof depositQuery
      | typeof depositExchangeQuery
      | typeof withdrawQuery
      | typeof withdrawExchangeQuery,
    A extends typeof deposit | typeof withdrawal,
  >(
    path: string,
    summary: string,
    query: Q,
    answer: A,
  ) =>
    createRoute({
      method: 'get',
      path,
      tags: ['SEP-6'],
      summary,
      security: [{ sep10: [] }],
      middleware: [auth] as const,
      request: { query },
      responses: { 200: answer, ...errors },
    });

  /**
   * GET /deposit and GET /deposit-exchange (S6-04, S6-05, S6-08): one path. The exchange names the Stellar asset
   * `destination_asset`, the off-chain one `source_asset` and the amount in it; a `quote_id` fixes the price.
   */
  const startDeposit = async (
    c: Context<AuthEnv>,
    q: z.output<typeof depositExchangeQuery>,
    exchange: boolean,
  ) => {
    const identity = c.get('identity');
    const op = config.sep24.deposit;
    checkAssetCode(config, op, 'deposit', exchange ? q.destination_asset : q.asset_code, exchange);
    checkFundingMethod(q);
    const account = q.account ? checkAccount(q.account) : (identity.muxedAccount ?? identity.account);
    if (exchange && !q.amount) throw badRequest('amount is required (S6-08)');
    const conversion = exchange
      ? await transferConversion(deps, op, {
          direction: 'deposit',
          context: 'sep6',
          sub: identity.sub,
          quoteId: q.quote_id,
          offchainAsset: q.source_asset,
          amount: q.amount,
          exchange: true,
        })
      : null;
    const amount = conversion ? conversionAmount(conversion, q.amount) : checkAmount(op, q.amount);
    let memo = checkMemo(q.memo, q.memo_type);
    if (memo && account.startsWith('M')) {
      throw badRequest(
        'memo cannot be combined with a muxed (M...) account: the muxed id already names the user',
      );
    }
    if (!memo && !q.account && identity.memo && !identity.muxedAccount)
      memo = { memo: identity.memo, memoType: 'id' };
    const claimable = parseField(
      boolField,
      'claimable_balance_supported',
      q.claimable_balance_supported,
      false,
    );
    const onChange = parseField(callbackField(config), 'on_change_callback', q.on_change_callback, null);
    const lang = resolveLang(q.lang);

    const id = randomUUID();
    // The reference is drawn now, so the answer can carry the instructions (S6-05); the workflow's
    // assignBankReference keeps a reference that is already there. The quote is reserved with the row.
    const reference = await insertWithFreshReference((ref) =>
      db.transaction().execute(async (trx) => {
        // Reserved first: a second request for the same quote waits on the quote's row and is refused.
        await reserveQuoteOrRefuse(trx, conversion, identity.sub, id);
        await insertTransaction(trx, {
          ...incompleteTransactionRow(config, identity, {
            id,
            kind: 'deposit',
            account,
            amount,
            onChange,
            lang,
            expiresAt: new Date(Date.now() + config.deposit.expirySeconds * 1000),
            walletName: q.wallet_name,
          }),
          ...conversionColumns(conversion, 'sep6', exchange),
          bank_reference: ref,
          to_address: account,
          from_address: null,
          memo: memo?.memo ?? null,
          memo_type: memo?.memoType ?? null,
          claimable_balance_supported: claimable,
        });
      }),
    );

    await startTransfer<typeof depositWorkflow, InteractiveInfo>(deps, 'deposit', 'depositWorkflow', {
      id,
      account,
      workflowId: depositWorkflowId(id),
      args: [
        {
          ...depositWorkflowInput(config, { id, identity, account, memo, amount, claimable }),
          ...(conversion ? { conversion } : {}),
        },
      ],
      ...(amount ? { memo: { amount } } : {}),
      signal: { definition: interactiveCompletedSignal, arg: { amount, lang } },
    });
    deps.logger.info(
      { transactionId: id, clientDomain: identity.clientDomain, exchange },
      'sep6 deposit started',
    );
    const currency = currencyOf(conversion?.sellAsset);
    const instructions = depositInstructions(config, reference, currency);
    return c.json(
      {
        how: howFrom(instructions),
        id,
        instructions,
        eta: etaSeconds,
        min_amount: toWireNumber(op.minAmount),
        max_amount: toWireNumber(op.maxAmount),
        fee_fixed: toWireNumber(conversion ? '0' : op.feeFixed),
        fee_percent: toWireNumber(conversion ? '0' : op.feePercent),
        extra_info: {
          message: conversion?.quote
            ? `Send exactly ${conversion.quote.sellAmount} ${currency} with the reference before ${conversion.quote.expiresAt} to receive ${conversion.quote.buyAmount} ${config.stellar.assetCode} at the quoted price; complete KYC through SEP-12 if GET /transaction shows pending_customer_info_update.`
            : conversion
              ? `Send the ${currency} transfer with the reference: it is converted to ${config.stellar.assetCode} at the price of the moment it arrives (see SEP-38 GET /price); complete KYC through SEP-12 if GET /transaction shows pending_customer_info_update.`
              : 'Complete KYC through SEP-12 if GET /transaction shows pending_customer_info_update; then send the transfer with the reference.',
        },
      },
      200,
    );
  };

  app.openapi(
    transferRoute(
      '/deposit',
      'Start a bank deposit of the Stellar asset (S6-04, S6-05)',
      depositQuery,
      deposit,
    ),
    (c) => startDeposit(c, c.req.valid('query'), false),
  );
  app.openapi(
    transferRoute(
      '/deposit-exchange',
      'Start a bank deposit in another currency, converted to the Stellar asset (S6-08)',
      depositExchangeQuery,
      deposit,
    ),
    (c) => startDeposit(c, c.req.valid('query'), true),
  );

  /**
   * GET /withdraw and GET /withdraw-exchange (S6-06, S6-08): one path. The exchange names the Stellar asset
   * `source_asset`, the off-chain payout `destination_asset`; a `quote_id` fixes the price.
   */
  const startWithdraw = async (
    c: Context<AuthEnv>,
    q: z.output<typeof withdrawExchangeQuery>,
    exchange: boolean,
  ) => {
    const identity = c.get('identity');
    const op = config.sep24.withdraw;
    checkAssetCode(config, op, 'withdraw', exchange ? q.source_asset : q.asset_code, exchange);
    checkFundingMethod(q);
    if (exchange && !q.amount) throw badRequest('amount is required (S6-08)');
    const conversion = exchange
      ? await transferConversion(deps, op, {
          direction: 'withdrawal',
          context: 'sep6',
          sub: identity.sub,
          quoteId: q.quote_id,
          offchainAsset: q.destination_asset,
          amount: q.amount,
          exchange: true,
        })
      : null;
    // The account the payment comes from; S6-17: never refused merely for differing from the JWT account.
    const account = q.account ? checkAccount(q.account) : (identity.muxedAccount ?? identity.account);
    // A withdrawal sells the Stellar asset: without a firm quote its amount is in that asset, so the limits and
    // its 7 decimals apply now, as on /withdraw (not after the user has paid, as a refund).
    const amount = conversion?.quote ? conversionAmount(conversion, q.amount)! : requiredAmount(op, q.amount);
    checkMemo(q.memo, q.memo_type);
    if (!!q.refund_memo !== !!q.refund_memo_type) {
      throw badRequest('refund_memo and refund_memo_type must be given together');
    }
    const refund = q.refund_memo ? checkMemo(q.refund_memo, q.refund_memo_type) : null;
    const destination = q.dest ? checkDestination(identity.account, q.dest, q.dest_extra) : null;
    const onChange = parseField(callbackField(config), 'on_change_callback', q.on_change_callback, null);
    const lang = resolveLang(q.lang);

    const id = randomUUID();
    const policy = withdrawalPolicyFromConfig(config);
    const masked = destination ? maskAccount(destination.account, 'last4') : null;
    await db.transaction().execute(async (trx) => {
      await reserveQuoteOrRefuse(trx, conversion, identity.sub, id);
      await insertTransaction(trx, {
        ...incompleteTransactionRow(config, identity, {
          id,
          kind: 'withdrawal',
          account,
          amount,
          onChange,
          lang,
          expiresAt: new Date(Date.now() + policy.interactiveTimeoutSeconds * 1000),
          walletName: q.wallet_name,
        }),
        ...conversionColumns(conversion, 'sep6', exchange),
        from_address: account,
        to_address: null,
        memo: null,
        memo_type: null,
        // S6-11: without dest the run waits in pending_transaction_info_update for PATCH /transactions/:id.
        required_info_updates: destination ? null : JSON.stringify(WITHDRAW_DESTINATION_FIELDS),
      });
      await insertWithdrawalDetails(trx, id, refund ? { type: refund.memoType, value: refund.memo } : null);
      if (destination) await saveDestination(config, trx, id, destination);
    });

    await startTransfer<typeof withdrawalWorkflow, InteractiveInfo>(
      deps,
      'withdrawal',
      'withdrawalWorkflow',
      {
        id,
        account,
        workflowId: withdrawalWorkflowId(id),
        args: [
          withdrawalWorkflowInput(config, {
            id,
            identity,
            account,
            lang,
            amount,
            refundMemo: refund ? { type: refund.memoType, value: refund.memo } : null,
            policy,
            conversion,
          }),
        ],
        memo: { amount },
        ...(masked
          ? {
              signal: {
                definition: interactiveCompletedSignal,
                arg: { amount, destinationMasked: masked, lang },
              },
            }
          : {}),
      },
    );
    deps.logger.info(
      { transactionId: id, clientDomain: identity.clientDomain, exchange },
      'sep6 withdrawal started',
    );
    return c.json(
      {
        id,
        eta: etaSeconds,
        min_amount: toWireNumber(op.minAmount),
        max_amount: toWireNumber(op.maxAmount),
        fee_fixed: toWireNumber(conversion ? '0' : op.feeFixed),
        fee_percent: toWireNumber(conversion ? '0' : op.feePercent),
        extra_info: {
          message: destination
            ? 'Poll GET /transaction: once it is pending_user_transfer_start, pay withdraw_anchor_account with withdraw_memo.'
            : 'Send dest (and dest_extra) with PATCH /transactions/:id (pending_transaction_info_update); then poll GET /transaction and pay withdraw_anchor_account with withdraw_memo.',
        },
      },
      200,
    );
  };

  app.openapi(
    transferRoute(
      '/withdraw',
      'Start a withdrawal of the Stellar asset to a bank account (S6-06)',
      withdrawQuery,
      withdrawal,
    ),
    (c) => startWithdraw(c, c.req.valid('query'), false),
  );
  app.openapi(
    transferRoute(
      '/withdraw-exchange',
      'Start a withdrawal of the Stellar asset paid out in another currency (S6-08)',
      withdrawExchangeQuery,
      withdrawal,
    ),
    (c) => startWithdraw(c, c.req.valid('query'), true),
  );
}

/** A bank account to pay a withdrawal out to (`dest`, `dest_extra`), in the form stored encrypted at rest. */
export interface PayoutDestination {
  name: string;
  account: string;
  routing?: string;
}

export function checkDestination(name: string, dest: string, destExtra?: string): PayoutDestination {
  if (!/^[A-Za-z0-9 -]{4,64}$/.test(dest)) throw badRequest('dest must be a bank account number or IBAN');
  if (destExtra !== undefined && !/^[A-Za-z0-9 -]{1,64}$/.test(destExtra)) {
    throw badRequest('dest_extra must be a routing number, sort code or BIC');
  }
  return { name, account: dest.replace(/\s+/g, ''), ...(destExtra ? { routing: destExtra } : {}) };
}

/** Stores the destination encrypted (bound to the transaction id) with its masked form; returns the mask. */
export async function saveDestination(
  config: AppConfig,
  trx: Parameters<typeof saveWithdrawalDestination>[0],
  id: string,
  destination: PayoutDestination,
): Promise<string> {
  const masked = maskAccount(destination.account, 'last4');
  await saveWithdrawalDestination(trx, id, {
    ciphertext: encryptAtRest(config.withdraw.encryptionKey, JSON.stringify(destination), id),
    masked,
  });
  return masked;
}

/** Inserts with a freshly drawn deposit reference, drawing again on the rare collision with a live one. */
async function insertWithFreshReference(insert: (reference: string) => Promise<void>): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const reference = depositBankReference(randomBytes(5));
    try {
      await insert(reference);
      return reference;
    } catch (err) {
      if ((err as { code?: string }).code !== '23505' || attempt >= 4) throw err;
    }
  }
}

import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Hono } from 'hono';
import { withdrawalPolicyFromConfig } from '../../activities/withdrawal.js';
import { insertTransaction, updateTransaction } from '../../db/transactions.js';
import {
  AnchorTransactionId,
  AssetCode,
  StellarAccount,
  TransactionKind,
  TransactionStatus,
} from '../../workflows/search-attributes.js';
import {
  type WithdrawalInput,
  type withdrawalWorkflow,
  withdrawalWorkflowId,
} from '../../workflows/withdrawal.js';
import type { ApiDeps } from '../deps.js';
import { createStartToken } from '../interactive/tokens.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest, HttpError } from '../middleware/errors.js';
import { readSep24Body } from './body.js';
import { interactiveUrl } from './deposit.js';
import { fiatAssetId } from './serialize.js';
import {
  boolField,
  callbackField,
  checkAccount,
  checkAmount,
  checkAsset,
  checkMemo,
  pickPrefill,
  resolveLang,
} from './validate.js';

/**
 * POST /transactions/withdraw/interactive (S24-13..16, S24-17): validates, writes the `incomplete` row, starts
 * `withdraw-<id>` and answers with the hosted-pages URL carrying a one-time token (never the JWT, S24-18).
 */
export function sep24WithdrawApp(deps: ApiDeps) {
  const { config, db, temporal, logger } = deps;
  const app = new Hono<AuthEnv>();
  app.post('/transactions/withdraw/interactive', requireSep10(config, 'sep24'), async (c) => {
    const identity = c.get('identity');
    const body = await readSep24Body(c);
    checkAsset(config, config.sep24.withdraw, 'withdraw', body.asset_code, body.asset_issuer);
    if (body.quote_id) throw badRequest('quote_id is not supported: this anchor offers no SEP-38 quotes');
    const fiat = fiatAssetId(config.stellar.assetCode);
    if (body.destination_asset && body.destination_asset !== fiat) {
      throw badRequest(`destination_asset must be ${fiat}: withdrawals are paid 1:1 to a bank account`);
    }
    const amount = checkAmount(config.sep24.withdraw, body.amount);
    // The account the payment comes from; defaults to the authenticated one (S24-13).
    const account = body.account ? checkAccount(body.account) : (identity.muxedAccount ?? identity.account);
    // memo/memo_type are deprecated for withdrawals (the JWT sub names the user); still, never accept junk.
    checkMemo(body.memo, body.memo_type);
    // S24-14: refund_memo and refund_memo_type travel together.
    const hasRefundMemo = body.refund_memo !== undefined && body.refund_memo !== '';
    const hasRefundType = body.refund_memo_type !== undefined && body.refund_memo_type !== '';
    if (hasRefundMemo !== hasRefundType) {
      throw badRequest('refund_memo and refund_memo_type must be given together');
    }
    const refund = hasRefundMemo ? refundMemo(body.refund_memo!, body.refund_memo_type!) : null;
    if (body.claimable_balance_supported)
      parseField(boolField, 'claimable_balance_supported', body.claimable_balance_supported);
    const onChange = body.on_change_callback
      ? parseField(callbackField(config), 'on_change_callback', body.on_change_callback)
      : null;
    const lang = resolveLang(body.lang);

    const id = randomUUID();
    const policy = withdrawalPolicyFromConfig(config);
    // The row exists before anything else, in `incomplete` (S24-17).
    await db.transaction().execute(async (trx) => {
      await insertTransaction(trx, {
        id,
        kind: 'withdrawal',
        status: 'incomplete',
        sub: identity.sub,
        sub_account: identity.account,
        sub_memo: identity.memo ?? null,
        client_domain: identity.clientDomain ?? null,
        asset_code: config.stellar.assetCode,
        asset_issuer: config.stellar.issuerAccount,
        stellar_account: account,
        from_address: account,
        memo: null, // withdraw_memo: null until we are ready to receive (S24-21)
        memo_type: null,
        amount_expected: amount,
        amount_in: null,
        amount_out: null,
        amount_fee: null,
        withdraw_anchor_account: null,
        stellar_transaction_id: null,
        external_transaction_id: null,
        bank_reference: null,
        to_address: null,
        message: null,
        kyc_verified: null,
        refunds: null,
        claimable_balance_id: null,
        on_change_callback: onChange,
        lang,
        status_eta: null,
        user_action_required_by: new Date(Date.now() + policy.interactiveTimeoutSeconds * 1000),
        completed_at: null,
        wallet_name: body.wallet_name?.slice(0, 200) ?? null,
      });
      await trx
        .insertInto('withdrawal_details')
        .values({
          transaction_id: id,
          refund_memo: refund?.value ?? null,
          refund_memo_type: refund?.type ?? null,
        })
        .execute();
    });

    const input: WithdrawalInput = {
      transactionId: id,
      account: identity.account,
      accountMemo: identity.memo ?? null,
      sourceAccount: account,
      lang,
      assetCode: config.stellar.assetCode,
      assetIssuer: config.stellar.issuerAccount,
      amount,
      refundMemo: refund,
      policy,
    };
    try {
      await temporal.workflow.start<typeof withdrawalWorkflow>('withdrawalWorkflow', {
        workflowId: withdrawalWorkflowId(id),
        taskQueue: config.temporal.taskQueue,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [input],
        typedSearchAttributes: [
          { key: AnchorTransactionId, value: id },
          { key: StellarAccount, value: account },
          { key: TransactionKind, value: 'withdrawal' },
          { key: TransactionStatus, value: 'incomplete' },
          { key: AssetCode, value: config.stellar.assetCode },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        logger.error(
          { transactionId: id, err: { message: (err as Error).message } },
          'withdrawal workflow did not start',
        );
        await updateTransaction(db, id, { status: 'error', message: 'The withdrawal could not be started.' });
        throw new HttpError(503, 'the withdrawal could not be started; please retry', 'unavailable');
      }
    }

    const token = await createStartToken(db, {
      transactionId: id,
      ttlSeconds: config.sep24.interactiveTokenTtlSeconds,
      prefill: pickPrefill(body),
    });
    logger.info({ transactionId: id, clientDomain: identity.clientDomain }, 'withdrawal started');
    return c.json({
      type: 'interactive_customer_info_needed',
      url: interactiveUrl(config, 'withdraw', id, token),
      id,
    });
  });
  return app;
}

function refundMemo(memo: string, memoType: string): { type: 'text' | 'id' | 'hash'; value: string } {
  if (memoType !== 'text' && memoType !== 'id' && memoType !== 'hash') {
    throw badRequest('refund_memo_type must be one of id, text, hash');
  }
  try {
    const checked = checkMemo(memo, memoType)!;
    return { type: checked.memoType, value: checked.memo };
  } catch (err) {
    if (err instanceof HttpError) throw badRequest(`refund_${err.message}`);
    throw err;
  }
}

function parseField<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  name: string,
  value: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest(`${name}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

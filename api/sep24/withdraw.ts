import { randomUUID } from 'node:crypto';
import { withdrawalWorkflowId } from '../../core/ids.js';
import { withdrawalPolicyFromConfig } from '../../core/policies/withdrawal.js';
import { fiatAssetId } from '../../core/transactions/serialize.js';
import { insertTransaction } from '../../db/transactions.js';
import { insertWithdrawalDetails } from '../../db/withdrawals.js';
import type { WithdrawalInput, withdrawalWorkflow } from '../../workflows/withdrawal.js';
import type { ApiDeps } from '../deps.js';
import type { AuthEnv } from '../middleware/auth.js';
import { badRequest, HttpError } from '../middleware/errors.js';
import { validBody } from '../openapi/bodies.js';
import { createRouter } from '../openapi/hono.js';
import { startTransfer } from '../transfer-start.js';
import { incompleteRow, interactiveAnswer, interactiveRoute, optionalFields } from './interactive-start.js';
import { type WithdrawBody, withdrawBodyFor } from './schemas.js';
import { checkAccount, checkAmount, checkAsset, checkMemo } from './validate.js';

/**
 * POST /transactions/withdraw/interactive (S24-13..16, S24-17): validates, writes the `incomplete` row, starts
 * `withdraw-<id>` and answers with the hosted-pages URL carrying a one-time token (never the JWT, S24-18).
 */
export function sep24WithdrawApp(deps: ApiDeps) {
  const { config, db } = deps;
  const app = createRouter<AuthEnv>();
  const route = interactiveRoute(
    config,
    'withdraw',
    withdrawBodyFor(config),
    'Start an interactive withdrawal',
  );
  app.openapi(route, async (c) => {
    const identity = c.get('identity');
    const body = validBody<WithdrawBody>(c);
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
    const { onChange, lang } = optionalFields(body);

    const id = randomUUID();
    const policy = withdrawalPolicyFromConfig(config);
    // The row exists before anything else, in `incomplete` (S24-17).
    await db.transaction().execute(async (trx) => {
      await insertTransaction(trx, {
        ...incompleteRow(config, identity, body, {
          id,
          kind: 'withdrawal',
          account,
          amount,
          onChange,
          lang,
          expiresAt: new Date(Date.now() + policy.interactiveTimeoutSeconds * 1000),
        }),
        from_address: account,
        to_address: null,
        memo: null, // withdraw_memo: null until we are ready to receive (S24-21)
        memo_type: null,
      });
      await insertWithdrawalDetails(trx, id, refund);
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
    await startTransfer<typeof withdrawalWorkflow>(deps, 'withdrawal', 'withdrawalWorkflow', {
      id,
      account,
      workflowId: withdrawalWorkflowId(id),
      args: [input],
    });
    return c.json(await interactiveAnswer(deps, 'withdrawal', identity, body, id), 200);
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

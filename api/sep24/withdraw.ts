import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../config/index.js';
import { withdrawalWorkflowId } from '../../core/ids.js';
import { withdrawalPolicyFromConfig } from '../../core/policies/withdrawal.js';
import type { TransferConversion } from '../../core/quotes/transfer.js';
import { fiatAssetId } from '../../core/transactions/serialize.js';
import { customerKeyOf } from '../../db/customers.js';
import { insertTransaction } from '../../db/transactions.js';
import { insertWithdrawalDetails } from '../../db/withdrawals.js';
import type { WithdrawalInput, withdrawalWorkflow } from '../../workflows/withdrawal.js';
import type { ApiDeps } from '../deps.js';
import type { AuthEnv } from '../middleware/auth.js';
import { apiError, HttpError } from '../middleware/errors.js';
import { validBody } from '../openapi/bodies.js';
import { createRouter } from '../openapi/hono.js';
import type { Sep10Identity } from '../sep10/jwt.js';
import {
  conversionAmount,
  conversionColumns,
  reserveQuoteOrRefuse,
  startTransfer,
  transferConversion,
} from '../transfer-start.js';
import { incompleteRow, interactiveAnswer, interactiveRoute, optionalFields } from './interactive-start.js';
import { type WithdrawBody, withdrawBodyFor } from './schemas.js';
import { checkAccount, checkAmount, checkAsset, checkMemo } from './validate.js';

/**
 * POST /transactions/withdraw/interactive (S24-13..16, S24-17): validates, writes the `incomplete` row, starts
 * `withdraw-<id>` and answers with the hosted-pages URL carrying a one-time token (never the JWT, S24-18).
 */
/** The WithdrawalWorkflow's input, the same for every front (SEP-24, SEP-6), like depositWorkflowInput(). */
export function withdrawalWorkflowInput(
  config: AppConfig,
  t: {
    id: string;
    identity: Sep10Identity;
    account: string;
    lang: string;
    amount: string | null;
    refundMemo: WithdrawalInput['refundMemo'];
    policy: WithdrawalInput['policy'];
    conversion: TransferConversion | null;
  },
): WithdrawalInput {
  return {
    transactionId: t.id,
    account: t.identity.account,
    accountMemo: t.identity.memo ?? null,
    customer: customerKeyOf(t.identity),
    sourceAccount: t.account,
    lang: t.lang,
    assetCode: config.stellar.assetCode,
    assetIssuer: config.stellar.issuerAccount,
    amount: t.amount,
    refundMemo: t.refundMemo ?? null,
    policy: t.policy,
    ...(t.conversion ? { conversion: t.conversion } : {}),
  };
}

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
    // S24-15: a quote_id fixes the conversion (the bank pays out its buy_asset at its price); another off-chain
    // asset than the one the Stellar asset mirrors needs one (the hosted pages quote nothing).
    const fiat = fiatAssetId(config.stellar.assetCode);
    const conversion = await transferConversion(deps, config.sep24.withdraw, {
      direction: 'withdrawal',
      context: 'sep24',
      sub: identity.sub,
      quoteId: body.quote_id,
      offchainAsset: body.destination_asset,
      amount: body.amount,
    });
    if (conversion && !conversion.quote) throw apiError(400, 'api.destination_asset', { fiat });
    const amount = conversion
      ? conversionAmount(conversion, body.amount)
      : checkAmount(config.sep24.withdraw, body.amount);
    // The account the payment comes from; defaults to the authenticated one (S24-13).
    const account = body.account ? checkAccount(body.account) : (identity.muxedAccount ?? identity.account);
    // memo/memo_type are deprecated for withdrawals (the JWT sub names the user); still, never accept junk.
    checkMemo(body.memo, body.memo_type);
    // S24-14: refund_memo and refund_memo_type travel together.
    const hasRefundMemo = body.refund_memo !== undefined && body.refund_memo !== '';
    const hasRefundType = body.refund_memo_type !== undefined && body.refund_memo_type !== '';
    if (hasRefundMemo !== hasRefundType) {
      throw apiError(400, 'api.refund_memo_pair');
    }
    const refund = hasRefundMemo ? refundMemo(body.refund_memo!, body.refund_memo_type!) : null;
    const { onChange, lang } = optionalFields(body);

    const id = randomUUID();
    const policy = withdrawalPolicyFromConfig(config);
    // The row exists before anything else, in `incomplete` (S24-17).
    await db.transaction().execute(async (trx) => {
      await reserveQuoteOrRefuse(trx, conversion, identity.sub, id);
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
        ...conversionColumns(conversion, 'sep24', false),
      });
      await insertWithdrawalDetails(trx, id, refund);
    });

    const input = withdrawalWorkflowInput(config, {
      id,
      identity,
      account,
      lang,
      amount,
      refundMemo: refund,
      policy,
      conversion,
    });
    await startTransfer<typeof withdrawalWorkflow>(deps, 'withdrawal', 'withdrawalWorkflow', {
      id,
      account,
      workflowId: withdrawalWorkflowId(id),
      args: [input],
      memo: { amount },
    });
    return c.json(await interactiveAnswer(deps, 'withdrawal', identity, body, id), 200);
  });
  return app;
}

function refundMemo(memo: string, memoType: string): { type: 'text' | 'id' | 'hash'; value: string } {
  if (memoType !== 'text' && memoType !== 'id' && memoType !== 'hash') {
    throw apiError(400, 'api.refund_memo_type');
  }
  try {
    const checked = checkMemo(memo, memoType)!;
    return { type: checked.memoType, value: checked.memo };
  } catch (err) {
    if (err instanceof HttpError) throw apiError(400, 'api.refund_memo_invalid', { detail: err.message });
    throw err;
  }
}

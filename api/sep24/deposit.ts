import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../config/index.js';
import { depositWorkflowId } from '../../core/ids.js';
import { customerKeyOf } from '../../db/customers.js';
import { insertTransaction } from '../../db/transactions.js';
import { baseAccountId } from '../../stellar/muxed.js';
import type { DepositRules, DepositWorkflowInput, depositWorkflow } from '../../workflows/deposit.js';
import type { ApiDeps } from '../deps.js';
import type { AuthEnv } from '../middleware/auth.js';
import { apiError, badRequest } from '../middleware/errors.js';
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
import { type DepositBody, depositBodyFor } from './schemas.js';
import { checkAccount, checkAmount, checkAsset, checkMemo } from './validate.js';

export function depositRules(config: AppConfig): DepositRules {
  const d = config.sep24.deposit;
  return {
    minAmount: d.minAmount,
    maxAmount: d.maxAmount,
    feeFixed: d.feeFixed,
    feePercent: d.feePercent,
    feeMinimum: d.feeMinimum,
    expirySeconds: config.deposit.expirySeconds,
    trustTimeoutSeconds: config.deposit.trustTimeoutSeconds,
    trustPollSeconds: config.deposit.trustPollSeconds,
    trustTimeoutAction: config.deposit.trustTimeoutAction,
    amountMismatch: config.deposit.amountMismatch,
    claimableBalances: config.sep24.claimableBalances,
    kycTier1MaxAmount: config.kyc.tier1MaxAmount,
    accountCreation: config.deposit.accountCreation,
  };
}

/** The DepositWorkflow's input, the same for every front (SEP-24, SEP-6): who, where, the memo, the rules. */
export function depositWorkflowInput(
  config: AppConfig,
  t: {
    id: string;
    identity: Sep10Identity;
    account: string;
    memo: { memo: string; memoType: 'id' | 'text' | 'hash' } | null | undefined;
    amount: string | null;
    claimable: boolean;
  },
): DepositWorkflowInput {
  return {
    transactionId: t.id,
    // KYC is the customer the sub is: an M... client is its own, not the G...:<id> one.
    subAccount: customerKeyOf(t.identity).account,
    subMemo: t.identity.memo ?? null,
    destination: t.account,
    assetCode: config.stellar.assetCode,
    assetIssuer: config.stellar.issuerAccount,
    memo: t.memo ? { type: t.memo.memoType, value: t.memo.memo } : null,
    amount: t.amount,
    claimableBalanceSupported: t.claimable,
    rules: depositRules(config),
  };
}

/** POST /transactions/deposit/interactive (S24-08..12, S24-16, S24-17). */
export function sep24DepositApp(deps: ApiDeps) {
  const { config, db } = deps;
  const app = createRouter<AuthEnv>();
  const route = interactiveRoute(config, 'deposit', depositBodyFor(config), 'Start an interactive deposit');
  app.openapi(route, async (c) => {
    const identity = c.get('identity');
    const body = validBody<DepositBody>(c);
    checkAsset(config, config.sep24.deposit, 'deposit', body.asset_code, body.asset_issuer);
    // S24-10: a quote_id fixes the conversion (its sell_asset is what the user sends, at its price); a
    // source_asset other than the one the asset mirrors needs one here (the hosted pages quote nothing).
    const conversion = await transferConversion(deps, config.sep24.deposit, {
      direction: 'deposit',
      context: 'sep24',
      sub: identity.sub,
      quoteId: body.quote_id,
      offchainAsset: body.source_asset,
      amount: body.amount,
    });
    if (conversion && !conversion.quote) {
      throw badRequest(
        `source_asset ${conversion.sellAsset} needs a quote_id: get a firm quote with SEP-38 POST /quote (context sep24)`,
      );
    }
    const amount = conversion
      ? conversionAmount(conversion, body.amount)
      : checkAmount(config.sep24.deposit, body.amount);
    const account = body.account ? checkAccount(body.account) : (identity.muxedAccount ?? identity.account);
    // S24-11: with account creation off (features.account_creation=false) a missing account can't be paid;
    // with it on, the workflow creates it (S24-24).
    if (!config.deposit.accountCreation && (await accountIsMissing(deps, account))) {
      throw apiError(400, 'api.account_missing');
    }
    let memo = checkMemo(body.memo, body.memo_type);
    if (memo && account.startsWith('M')) {
      throw apiError(400, 'api.memo_with_muxed');
    }
    // A shared-account user (G...:memo) depositing to that same account keeps the memo that names them.
    if (!memo && !body.account && identity.memo && !identity.muxedAccount)
      memo = { memo: identity.memo, memoType: 'id' };
    const { claimable, onChange, lang } = optionalFields(body);

    const id = randomUUID();
    // The row exists before anything else, in `incomplete` (S24-17); a firm quote is reserved with it.
    await db.transaction().execute(async (trx) => {
      await reserveQuoteOrRefuse(trx, conversion, identity.sub, id);
      await insertTransaction(trx, {
        ...incompleteRow(config, identity, body, {
          id,
          kind: 'deposit',
          account,
          amount,
          onChange,
          lang,
          expiresAt: new Date(Date.now() + config.deposit.expirySeconds * 1000),
        }),
        to_address: account,
        from_address: null,
        memo: memo?.memo ?? null,
        memo_type: memo?.memoType ?? null,
        claimable_balance_supported: claimable,
        ...conversionColumns(conversion, 'sep24', false),
      });
    });

    const input = {
      ...depositWorkflowInput(config, { id, identity, account, memo, amount, claimable }),
      ...(conversion ? { conversion } : {}),
    };
    await startTransfer<typeof depositWorkflow>(deps, 'deposit', 'depositWorkflow', {
      id,
      account,
      workflowId: depositWorkflowId(id),
      args: [input],
      memo: { amount },
    });
    return c.json(await interactiveAnswer(deps, 'deposit', identity, body, id), 200);
  });
  return app;
}

/**
 * True only when Horizon positively answers 404 for the account. Horizon being slow or down never blocks a
 * deposit here: the workflow checks again before paying (and fails loudly, with an alert, if it must).
 */
async function accountIsMissing(deps: ApiDeps, account: string): Promise<boolean> {
  if (account.startsWith('C')) return false; // contracts have no account entry
  const base = baseAccountId(account);
  try {
    const res = await (deps.fetch ?? fetch)(`${deps.config.stellar.horizonUrl}/accounts/${base}`, {
      signal: AbortSignal.timeout(3000),
    });
    await res.body?.cancel().catch(() => {});
    return res.status === 404;
  } catch {
    return false;
  }
}

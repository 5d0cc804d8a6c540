import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../config/index.js';
import { depositWorkflowId } from '../../core/ids.js';
import { insertTransaction } from '../../db/transactions.js';
import { baseAccountId } from '../../stellar/muxed.js';
import type { DepositRules, DepositWorkflowInput, depositWorkflow } from '../../workflows/deposit.js';
import type { ApiDeps } from '../deps.js';
import type { AuthEnv } from '../middleware/auth.js';
import { badRequest } from '../middleware/errors.js';
import { validBody } from '../openapi/bodies.js';
import { createRouter } from '../openapi/hono.js';
import { startTransfer } from '../transfer-start.js';
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
    if (body.quote_id) throw badRequest('quote_id is not supported: this anchor offers no SEP-38 quotes');
    if (body.source_asset)
      throw badRequest('source_asset is not supported: deposits are 1:1 with no exchange');
    const amount = checkAmount(config.sep24.deposit, body.amount);
    const account = body.account ? checkAccount(body.account) : (identity.muxedAccount ?? identity.account);
    // S24-11: we don't create accounts (features.account_creation=false), so a missing one can't be paid.
    if (await accountIsMissing(deps, account)) {
      throw badRequest(
        'account does not exist on the Stellar network; this anchor does not create accounts, fund it first',
      );
    }
    let memo = checkMemo(body.memo, body.memo_type);
    if (memo && account.startsWith('M')) {
      throw badRequest(
        'memo cannot be combined with a muxed (M...) account: the muxed id already names the user',
      );
    }
    // A shared-account user (G...:memo) depositing to that same account keeps the memo that names them.
    if (!memo && !body.account && identity.memo && !identity.muxedAccount)
      memo = { memo: identity.memo, memoType: 'id' };
    const { claimable, onChange, lang } = optionalFields(body);

    const id = randomUUID();
    // The row exists before anything else, in `incomplete` (S24-17).
    await insertTransaction(db, {
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
    });

    const input: DepositWorkflowInput = {
      transactionId: id,
      subAccount: identity.account,
      subMemo: identity.memo ?? null,
      destination: account,
      assetCode: config.stellar.assetCode,
      assetIssuer: config.stellar.issuerAccount,
      memo: memo ? { type: memo.memoType, value: memo.memo } : null,
      amount,
      claimableBalanceSupported: claimable,
      rules: depositRules(config),
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

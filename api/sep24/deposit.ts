import { randomUUID } from 'node:crypto';
import { MuxedAccount } from '@stellar/stellar-sdk';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Hono } from 'hono';
import type { AppConfig } from '../../config/index.js';
import { insertTransaction, updateTransaction } from '../../db/transactions.js';
import type { DepositRules, DepositWorkflowInput, depositWorkflow } from '../../workflows/deposit.js';
import {
  AnchorTransactionId,
  AssetCode,
  StellarAccount,
  TransactionKind,
  TransactionStatus,
} from '../../workflows/search-attributes.js';
import type { ApiDeps } from '../deps.js';
import { createStartToken } from '../interactive/tokens.js';
import { type AuthEnv, requireSep10 } from '../middleware/auth.js';
import { badRequest, HttpError } from '../middleware/errors.js';
import { readSep24Body } from './body.js';
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

export const depositWorkflowId = (transactionId: string) => `deposit-${transactionId}`;

/** The hosted-pages URL for a transaction, carrying its one-time token (S24-16, S24-18). */
export function interactiveUrl(
  config: AppConfig,
  kind: 'deposit' | 'withdraw',
  id: string,
  token: string,
): string {
  const u = new URL(`${config.api.publicUrl}/sep24/interactive/${kind}`);
  u.searchParams.set('transaction_id', id);
  u.searchParams.set('token', token);
  return u.toString();
}

/** POST /transactions/deposit/interactive (S24-08..12, S24-16, S24-17). */
export function sep24DepositApp(deps: ApiDeps) {
  const { config, db, temporal, logger } = deps;
  const app = new Hono<AuthEnv>();
  app.post('/transactions/deposit/interactive', requireSep10(config, 'sep24'), async (c) => {
    const identity = c.get('identity');
    const body = await readSep24Body(c);
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
    const claimable = body.claimable_balance_supported
      ? parseField(boolField, 'claimable_balance_supported', body.claimable_balance_supported)
      : false;
    const onChange = body.on_change_callback
      ? parseField(callbackField(config), 'on_change_callback', body.on_change_callback)
      : null;
    const lang = resolveLang(body.lang);

    const id = randomUUID();
    // The row exists before anything else, in `incomplete` (S24-17).
    await insertTransaction(db, {
      id,
      kind: 'deposit',
      status: 'incomplete',
      sub: identity.sub,
      sub_account: identity.account,
      sub_memo: identity.memo ?? null,
      client_domain: identity.clientDomain ?? null,
      asset_code: config.stellar.assetCode,
      asset_issuer: config.stellar.issuerAccount,
      stellar_account: account,
      to_address: account,
      memo: memo?.memo ?? null,
      memo_type: memo?.memoType ?? null,
      amount_expected: amount,
      amount_in: null,
      amount_out: null,
      amount_fee: null,
      withdraw_anchor_account: null,
      stellar_transaction_id: null,
      external_transaction_id: null,
      bank_reference: null,
      from_address: null,
      message: null,
      kyc_verified: null,
      refunds: null,
      claimable_balance_supported: claimable,
      claimable_balance_id: null,
      on_change_callback: onChange,
      lang,
      status_eta: null,
      user_action_required_by: new Date(Date.now() + config.deposit.expirySeconds * 1000),
      completed_at: null,
      wallet_name: body.wallet_name?.slice(0, 200) ?? null,
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
    try {
      await temporal.workflow.start<typeof depositWorkflow>('depositWorkflow', {
        workflowId: depositWorkflowId(id),
        taskQueue: config.temporal.taskQueue,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [input],
        memo: { amount },
        typedSearchAttributes: [
          { key: AnchorTransactionId, value: id },
          { key: StellarAccount, value: account },
          { key: TransactionKind, value: 'deposit' },
          { key: TransactionStatus, value: 'incomplete' },
          { key: AssetCode, value: config.stellar.assetCode },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        logger.error(
          { transactionId: id, err: { message: (err as Error).message } },
          'deposit workflow did not start',
        );
        await updateTransaction(db, id, { status: 'error', message: 'The deposit could not be started.' });
        throw new HttpError(503, 'the deposit could not be started; please retry', 'unavailable');
      }
    }

    const token = await createStartToken(db, {
      transactionId: id,
      ttlSeconds: config.sep24.interactiveTokenTtlSeconds,
      prefill: pickPrefill(body),
    });
    logger.info({ transactionId: id, clientDomain: identity.clientDomain }, 'deposit started');
    return c.json({
      type: 'interactive_customer_info_needed',
      url: interactiveUrl(config, 'deposit', id, token),
      id,
    });
  });
  return app;
}

/**
 * True only when Horizon positively answers 404 for the account. Horizon being slow or down never blocks a
 * deposit here: the workflow checks again before paying (and fails loudly, with an alert, if it must).
 */
async function accountIsMissing(deps: ApiDeps, account: string): Promise<boolean> {
  if (account.startsWith('C')) return false; // contracts have no account entry
  const base = account.startsWith('M')
    ? MuxedAccount.fromAddress(account, '0').baseAccount().accountId()
    : account;
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

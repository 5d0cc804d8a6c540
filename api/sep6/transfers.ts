import { randomBytes, randomUUID } from 'node:crypto';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppConfig, Sep24AssetOperation } from '../../config/index.js';
import { maskAccount } from '../../core/bank/mask.js';
import { depositBankReference, depositWorkflowId, withdrawalWorkflowId } from '../../core/ids.js';
import { withdrawalPolicyFromConfig } from '../../core/policies/withdrawal.js';
import { FUNDING_METHODS } from '../../core/quotes/assets.js';
import { depositInstructions, howFrom } from '../../core/transfers/sep6-wire.js';
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
import { depositRules } from '../sep24/deposit.js';
import {
  boolField,
  callbackField,
  checkAccount,
  checkAmount,
  checkMemo,
  resolveLang,
} from '../sep24/validate.js';
import { startTransfer } from '../transfer-start.js';
import { depositAnswer, depositQuery, withdrawAnswer, withdrawQuery } from './schemas.js';

/**
 * GET /deposit and GET /withdraw (S6-04..07): the same validation rules as SEP-24, the same `incomplete` row and
 * the same DepositWorkflow / WithdrawalWorkflow, started together with the `interactiveCompleted` signal the
 * hosted pages would send: SEP-6 has every field already, so the run goes straight on to KYC (SEP-12,
 * `pending_customer_info_update`, S6-07) and then waits for the money.
 */

const json = <S>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const errors = {
  400: { description: 'invalid request `{"error"}`' },
  403: { description: '`{"type":"authentication_required"}` (S6-02)' },
  503: { description: 'the workflow could not be started; retry' },
};

/** S6-17: asset_code is checked first, before anything else (the validator sends a foreign `account`). */
function checkAssetCode(config: AppConfig, op: Sep24AssetOperation, direction: string, code?: string) {
  if (!code) throw badRequest('asset_code is required');
  if (code !== config.stellar.assetCode) {
    throw badRequest(`asset_code ${code} is not supported: see GET /info for the assets offered`);
  }
  if (!op.enabled) throw badRequest(`${direction} of ${code} is not enabled`);
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
 * The workflows size the KYC tier and the fee by the amount before the money moves, so this anchor needs it
 * up front (SEP-6 makes it optional; the SEP-24 hosted pages ask for it instead).
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

export function registerSep6Transfers(app: OpenAPIHono<AuthEnv>, deps: ApiDeps) {
  const { config, db } = deps;
  const auth = requireSep10(config, 'sep24');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/deposit',
      tags: ['SEP-6'],
      summary: 'Start a bank deposit of the Stellar asset (S6-04, S6-05)',
      security: [{ sep10: [] }],
      middleware: [auth] as const,
      request: { query: depositQuery },
      responses: { 200: json(depositAnswer, 'instructions and the transaction id'), ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const identity = c.get('identity');
      const op = config.sep24.deposit;
      checkAssetCode(config, op, 'deposit', q.asset_code);
      checkFundingMethod(q);
      const account = q.account ? checkAccount(q.account) : (identity.muxedAccount ?? identity.account);
      const amount = requiredAmount(op, q.amount);
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
      // assignBankReference keeps a reference that is already there.
      const reference = await insertWithFreshReference(async (ref) => {
        await insertTransaction(db, {
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
          bank_reference: ref,
          to_address: account,
          from_address: null,
          memo: memo?.memo ?? null,
          memo_type: memo?.memoType ?? null,
          claimable_balance_supported: claimable,
        });
      });

      await startTransfer<typeof depositWorkflow, InteractiveInfo>(deps, 'deposit', 'depositWorkflow', {
        id,
        account,
        workflowId: depositWorkflowId(id),
        args: [
          {
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
          },
        ],
        memo: { amount },
        signal: { definition: interactiveCompletedSignal, arg: { amount, lang } },
      });
      deps.logger.info({ transactionId: id, clientDomain: identity.clientDomain }, 'sep6 deposit started');
      const instructions = depositInstructions(config, reference);
      return c.json(
        {
          how: howFrom(instructions),
          id,
          instructions,
          eta: etaSeconds,
          min_amount: toWireNumber(op.minAmount),
          max_amount: toWireNumber(op.maxAmount),
          fee_fixed: toWireNumber(op.feeFixed),
          fee_percent: toWireNumber(op.feePercent),
          extra_info: {
            message:
              'Complete KYC through SEP-12 if GET /transaction shows pending_customer_info_update; then send the transfer with the reference.',
          },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/withdraw',
      tags: ['SEP-6'],
      summary: 'Start a withdrawal of the Stellar asset to a bank account (S6-06)',
      security: [{ sep10: [] }],
      middleware: [auth] as const,
      request: { query: withdrawQuery },
      responses: {
        200: json(withdrawAnswer, 'the transaction id; poll /transaction for the memo'),
        ...errors,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const identity = c.get('identity');
      const op = config.sep24.withdraw;
      checkAssetCode(config, op, 'withdraw', q.asset_code);
      checkFundingMethod(q);
      // The account the payment comes from; S6-17: never refused merely for differing from the JWT account.
      const account = q.account ? checkAccount(q.account) : (identity.muxedAccount ?? identity.account);
      const amount = requiredAmount(op, q.amount);
      checkMemo(q.memo, q.memo_type);
      if (!!q.refund_memo !== !!q.refund_memo_type) {
        throw badRequest('refund_memo and refund_memo_type must be given together');
      }
      const refund = q.refund_memo ? checkMemo(q.refund_memo, q.refund_memo_type) : null;
      if (!q.dest) throw badRequest('dest is required: the bank account number to pay out to');
      if (!/^[A-Za-z0-9 -]{4,64}$/.test(q.dest))
        throw badRequest('dest must be a bank account number or IBAN');
      const onChange = parseField(callbackField(config), 'on_change_callback', q.on_change_callback, null);
      const lang = resolveLang(q.lang);

      const id = randomUUID();
      const policy = withdrawalPolicyFromConfig(config);
      const destination = {
        name: identity.account,
        account: q.dest.replace(/\s+/g, ''),
        ...(q.dest_extra ? { routing: q.dest_extra } : {}),
      };
      const masked = maskAccount(destination.account, 'last4');
      await db.transaction().execute(async (trx) => {
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
          from_address: account,
          to_address: null,
          memo: null,
          memo_type: null,
        });
        await insertWithdrawalDetails(trx, id, refund ? { type: refund.memoType, value: refund.memo } : null);
        await saveWithdrawalDestination(trx, id, {
          ciphertext: encryptAtRest(config.withdraw.encryptionKey, JSON.stringify(destination), id),
          masked,
        });
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
            {
              transactionId: id,
              account: identity.account,
              accountMemo: identity.memo ?? null,
              sourceAccount: account,
              lang,
              assetCode: config.stellar.assetCode,
              assetIssuer: config.stellar.issuerAccount,
              amount,
              refundMemo: refund ? { type: refund.memoType, value: refund.memo } : null,
              policy,
            },
          ],
          signal: {
            definition: interactiveCompletedSignal,
            arg: { amount, destinationMasked: masked, lang },
          },
        },
      );
      deps.logger.info({ transactionId: id, clientDomain: identity.clientDomain }, 'sep6 withdrawal started');
      return c.json(
        {
          id,
          eta: etaSeconds,
          min_amount: toWireNumber(op.minAmount),
          max_amount: toWireNumber(op.maxAmount),
          fee_fixed: toWireNumber(op.feeFixed),
          fee_percent: toWireNumber(op.feePercent),
          extra_info: {
            message:
              'Poll GET /transaction: once it is pending_user_transfer_start, pay withdraw_anchor_account with withdraw_memo.',
          },
        },
        200,
      );
    },
  );
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

import { type Workflow, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { AppConfig } from '../../config/index.js';
import { createStartToken } from '../../core/interactive-tokens.js';
import type { NewTransaction } from '../../db/schema.js';
import { updateTransaction } from '../../db/transactions.js';
import {
  AnchorTransactionId,
  AssetCode,
  StellarAccount,
  TransactionKind,
  TransactionStatus,
} from '../../workflows/search-attributes.js';
import type { ApiDeps } from '../deps.js';
import { badRequest, HttpError } from '../middleware/errors.js';
import type { Sep10Identity } from '../sep10/jwt.js';
import { boolField, callbackField, pickPrefill, resolveLang } from './validate.js';

/**
 * What POST /transactions/deposit/interactive and /transactions/withdraw/interactive share: the optional fields
 * both accept, the `incomplete` row's common columns, the workflow start and the interactive answer.
 */

type Sep24Body = Record<string, string>;
type Noun = 'deposit' | 'withdrawal';

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

export function parseField<T>(
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

/** claimable_balance_supported, on_change_callback and lang, validated in that order. */
export function parseOptionalFields(config: AppConfig, body: Sep24Body) {
  const claimable = body.claimable_balance_supported
    ? parseField(boolField, 'claimable_balance_supported', body.claimable_balance_supported)
    : false;
  const onChange = body.on_change_callback
    ? parseField(callbackField(config), 'on_change_callback', body.on_change_callback)
    : null;
  const lang = resolveLang(body.lang);
  return { claimable, onChange, lang };
}

/** The columns every new `incomplete` SEP-24 row has (S24-17); the caller adds the kind-specific ones. */
export function incompleteRow(
  config: AppConfig,
  identity: Sep10Identity,
  body: Sep24Body,
  row: {
    id: string;
    kind: 'deposit' | 'withdrawal';
    account: string;
    amount: string | null;
    onChange: string | null;
    lang: string;
    expiresAt: Date;
  },
) {
  return {
    id: row.id,
    kind: row.kind,
    status: 'incomplete',
    sub: identity.sub,
    sub_account: identity.account,
    sub_memo: identity.memo ?? null,
    client_domain: identity.clientDomain ?? null,
    asset_code: config.stellar.assetCode,
    asset_issuer: config.stellar.issuerAccount,
    stellar_account: row.account,
    amount_expected: row.amount,
    amount_in: null,
    amount_out: null,
    amount_fee: null,
    withdraw_anchor_account: null,
    stellar_transaction_id: null,
    external_transaction_id: null,
    bank_reference: null,
    message: null,
    kyc_verified: null,
    refunds: null,
    claimable_balance_id: null,
    on_change_callback: row.onChange,
    lang: row.lang,
    status_eta: null,
    user_action_required_by: row.expiresAt,
    completed_at: null,
    wallet_name: body.wallet_name?.slice(0, 200) ?? null,
  } satisfies Partial<NewTransaction>;
}

/**
 * Starts `<kind>-<id>` with the transaction's search attributes. A duplicate start is fine (the retried call
 * found it running); any other failure marks the row `error` and answers 503.
 */
export async function startTransactionWorkflow<W extends Workflow>(
  deps: ApiDeps,
  noun: Noun,
  workflowType: string,
  start: {
    id: string;
    account: string;
    workflowId: string;
    args: Parameters<W>;
    memo?: Record<string, unknown>;
  },
): Promise<void> {
  const { config, db, temporal, logger } = deps;
  try {
    await temporal.workflow.start(workflowType, {
      workflowId: start.workflowId,
      taskQueue: config.temporal.taskQueue,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [...start.args],
      ...(start.memo ? { memo: start.memo } : {}),
      typedSearchAttributes: [
        { key: AnchorTransactionId, value: start.id },
        { key: StellarAccount, value: start.account },
        { key: TransactionKind, value: noun },
        { key: TransactionStatus, value: 'incomplete' },
        { key: AssetCode, value: config.stellar.assetCode },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      logger.error(
        { transactionId: start.id, err: { message: (err as Error).message } },
        `${noun} workflow did not start`,
      );
      await updateTransaction(db, start.id, {
        status: 'error',
        message: `The ${noun} could not be started.`,
      });
      throw new HttpError(503, `the ${noun} could not be started; please retry`, 'unavailable');
    }
  }
}

/** Issues the one-time start token and builds the `interactive_customer_info_needed` answer (S24-16, S24-18). */
export async function interactiveAnswer(
  deps: ApiDeps,
  noun: Noun,
  identity: Sep10Identity,
  body: Sep24Body,
  id: string,
) {
  const { config, db, logger } = deps;
  const token = await createStartToken(db, {
    transactionId: id,
    ttlSeconds: config.sep24.interactiveTokenTtlSeconds,
    prefill: pickPrefill(body),
  });
  logger.info({ transactionId: id, clientDomain: identity.clientDomain }, `${noun} started`);
  return {
    type: 'interactive_customer_info_needed' as const,
    url: interactiveUrl(config, noun === 'deposit' ? 'deposit' : 'withdraw', id, token),
    id,
  };
}

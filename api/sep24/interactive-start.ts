import { createRoute, type z } from '@hono/zod-openapi';
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
import { requireSep10 } from '../middleware/auth.js';
import { HttpError } from '../middleware/errors.js';
import { acceptBodies, bodyOf, JSON_TYPE, MULTIPART_TYPE, URLENCODED_TYPE } from '../openapi/bodies.js';
import { errorResponse, json, sep10Security } from '../openapi/responses.js';
import type { Sep10Identity } from '../sep10/jwt.js';
import {
  interactiveAnswer as answerSchema,
  authenticationRequired,
  type InteractiveBody,
} from './schemas.js';
import { pickPrefill, resolveLang } from './validate.js';

/**
 * What POST /transactions/deposit/interactive and /transactions/withdraw/interactive share: the optional fields
 * both accept, the `incomplete` row's common columns, the workflow start and the interactive answer.
 */

type Noun = 'deposit' | 'withdrawal';

/** SEP-24 takes all three encodings (S24-03, X-06), validated by one schema. */
const SEP24_BODY_TYPES = [JSON_TYPE, URLENCODED_TYPE, MULTIPART_TYPE] as const;

/** POST /transactions/{deposit,withdraw}/interactive: the same encodings, auth and answers for both kinds. */
export function interactiveRoute(
  config: AppConfig,
  kind: 'deposit' | 'withdraw',
  body: z.ZodType,
  summary: string,
) {
  return createRoute({
    method: 'post',
    path: `/transactions/${kind}/interactive`,
    tags: ['SEP-24'],
    summary,
    security: sep10Security,
    middleware: [
      requireSep10(config, 'sep24'),
      acceptBodies(body, SEP24_BODY_TYPES, {
        status: 415,
        message:
          'unsupported Content-Type: send multipart/form-data, application/x-www-form-urlencoded or application/json',
      }),
    ],
    request: { body: bodyOf(body, SEP24_BODY_TYPES) },
    responses: {
      200: json(answerSchema, 'the interactive URL (one-time token) and the transaction id'),
      400: errorResponse('a bad or unsupported field, named in the message'),
      403: json(authenticationRequired, 'no, a malformed or an expired SEP-10 token'),
      415: errorResponse('unsupported Content-Type'),
      503: errorResponse('the workflow could not be started; retry'),
    },
  });
}

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

/** claimable_balance_supported (deposits only), on_change_callback and lang, already checked by the schema. */
export function optionalFields(body: InteractiveBody) {
  const claimable = 'claimable_balance_supported' in body ? body.claimable_balance_supported === true : false;
  return { claimable, onChange: body.on_change_callback ?? null, lang: resolveLang(body.lang) };
}

/** The columns every new `incomplete` SEP-24 row has (S24-17); the caller adds the kind-specific ones. */
export function incompleteRow(
  config: AppConfig,
  identity: Sep10Identity,
  body: InteractiveBody,
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
  body: InteractiveBody,
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

import { createRoute, type z } from '@hono/zod-openapi';
import type { AppConfig } from '../../config/index.js';
import { createStartToken } from '../../core/interactive-tokens.js';
import { incompleteTransactionRow } from '../../core/transfers/start.js';
import type { ApiDeps } from '../deps.js';
import { requireSep10 } from '../middleware/auth.js';
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

/** The columns every new `incomplete` SEP-24 row has (S24-17): the shared row plus the wallet's name. */
export function incompleteRow(
  config: AppConfig,
  identity: Sep10Identity,
  body: InteractiveBody,
  row: Omit<Parameters<typeof incompleteTransactionRow>[2], 'walletName'>,
) {
  return incompleteTransactionRow(config, identity, { ...row, walletName: body.wallet_name ?? null });
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

import { z } from '@hono/zod-openapi';
import type { AppConfig } from '../../config/index.js';
import { blankAsAbsent, extraField, text, wireText } from '../openapi/fields.js';
import { boolField, callbackField } from './validate.js';

/**
 * The request and answer shapes of the SEP-24 API (wire names are snake_case). These schemas validate the
 * requests and write /openapi.json; the rules that need the config (supported asset, limits, memo forms)
 * stay in validate.ts.
 */

/** A JSON true/1 is the same as the form's "true"/"1". */
const asText = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);

/** Fields both interactive POSTs take (S24-08, S24-13); any SEP-9 field may come too, to prefill the forms. */
const interactiveFields = {
  asset_code: wireText(12).describe('Code of the asset (see GET /info)'),
  asset_issuer: wireText(56).optional(),
  amount: wireText(40).optional().describe('Decimal string, at most 7 decimal places'),
  account: wireText(69).optional().describe('G..., M... or C... account; defaults to the token account'),
  memo: wireText(64).optional(),
  memo_type: wireText(8).optional().describe('text, id or hash'),
  quote_id: wireText(200).optional().describe('not supported: no SEP-38 quotes'),
  wallet_name: wireText(500).optional(),
  wallet_url: wireText(2000).optional(),
  lang: wireText(35).optional().describe('RFC 4646 language; unknown falls back to en'),
  customer_id: wireText(200).optional(),
};

/** `on_change_callback` is an https URL outside the sandbox, so the bodies are built per config. */
const callback = (config: AppConfig) =>
  z.preprocess(asText, blankAsAbsent(callbackField(config))).describe('http(s) URL or "postMessage"');

export const depositBodyFor = (config: AppConfig) =>
  z
    .object({
      ...interactiveFields,
      on_change_callback: callback(config),
      source_asset: wireText(200).optional().describe('not supported: deposits are 1:1'),
      claimable_balance_supported: z
        .preprocess(asText, blankAsAbsent(boolField))
        .describe('true or false (S24-12)'),
    })
    .catchall(extraField)
    .openapi('Sep24DepositRequest');

export const withdrawBodyFor = (config: AppConfig) =>
  z
    .object({
      ...interactiveFields,
      on_change_callback: callback(config),
      destination_asset: wireText(200).optional(),
      refund_memo: wireText(64).optional(),
      refund_memo_type: wireText(8).optional().describe('text, id or hash; only with refund_memo'),
    })
    .catchall(extraField)
    .openapi('Sep24WithdrawRequest');

export type DepositBody = z.output<ReturnType<typeof depositBodyFor>>;
export type WithdrawBody = z.output<ReturnType<typeof withdrawBodyFor>>;
/** What both kinds share, for the row and the answer. */
export type InteractiveBody = DepositBody | WithdrawBody;

export const interactiveAnswer = z
  .object({
    type: z.literal('interactive_customer_info_needed'),
    url: z.string(),
    id: z.string(),
  })
  .openapi('Sep24InteractiveResponse');

export const authenticationRequired = z
  .object({ type: z.literal('authentication_required') })
  .openapi('Sep24AuthenticationRequired');

const LOOKUP_KEYS = ['id', 'stellar_transaction_id', 'external_transaction_id'] as const;

export const transactionQuery = z
  .object({
    id: text(64).optional(),
    stellar_transaction_id: text(64).optional(),
    external_transaction_id: text(200).optional(),
    lang: text(35).optional(),
  })
  .refine(
    (q) => LOOKUP_KEYS.filter((k) => q[k] !== undefined && q[k] !== '').length === 1,
    'send exactly one of id, stellar_transaction_id or external_transaction_id',
  );

export const transactionsQuery = z.object({
  asset_code: text(12).min(1, 'is required'),
  no_older_than: blankAsAbsent(
    text(40).refine(
      (v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(new Date(v).getTime()),
      'must be an ISO 8601 date-time',
    ),
  ),
  limit: blankAsAbsent(
    text(4).refine((v) => /^\d{1,4}$/.test(v) && Number(v) >= 1, 'must be a positive integer'),
  ).describe('at most 200 are returned'),
  kind: blankAsAbsent(z.enum(['deposit', 'withdrawal'], { error: 'must be deposit or withdrawal' })),
  paging_id: text(64).optional(),
  lang: text(35).optional(),
});

export const moreInfoQuery = z.object({
  id: text(64).optional(),
  lang: text(35).optional(),
  sig: text(64).optional().describe('the signature more_info_url carries: needed to answer a requote'),
});

export const sep24Transaction = z
  .object({ id: z.string(), kind: z.enum(['deposit', 'withdrawal']), status: z.string() })
  .loose()
  .openapi('Sep24Transaction');

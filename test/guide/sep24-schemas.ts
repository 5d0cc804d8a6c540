import { z } from 'zod';

/**
 * SEP-24 wire shapes checked strictly (no unknown keys): the interactive response (S24-17) and the transaction
 * object of GET /transaction(s) (S24-27..33). Amounts are strings with at most 7 decimals, times ISO-8601 UTC.
 */
const amount = z.string().regex(/^\d+(\.\d{1,7})?$/);
const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const assetId = z
  .string()
  .regex(/^(stellar:[A-Za-z0-9]{1,12}:G[A-Z2-7]{55}|stellar:native|iso4217:[A-Z]{3})$/);
const status = z.enum([
  'incomplete',
  'pending_user_transfer_start',
  'pending_user_transfer_complete',
  'pending_external',
  'pending_anchor',
  'pending_stellar',
  'pending_trust',
  'pending_user',
  'completed',
  'refunded',
  'expired',
  'no_market',
  'too_small',
  'too_large',
  'error',
]);

export const interactiveResponseSchema = z
  .object({
    type: z.literal('interactive_customer_info_needed'),
    url: z.string().url(),
    id: z.string().min(1),
  })
  .strict();

const refundsSchema = z
  .object({
    amount_refunded: amount,
    amount_fee: amount,
    payments: z.array(
      z
        .object({
          id: z.string(),
          id_type: z.enum(['stellar', 'external']),
          amount,
          fee: amount,
        })
        .strict(),
    ),
  })
  .strict();

const common = {
  id: z.string().min(1),
  status,
  status_eta: z.number().int().nonnegative().nullable(),
  kyc_verified: z.boolean().optional(),
  more_info_url: z.string().url(),
  amount_in: amount.nullable(),
  amount_in_asset: assetId,
  amount_out: amount.nullable(),
  amount_out_asset: assetId,
  amount_fee: amount.nullable(),
  amount_fee_asset: assetId,
  fee_details: z.object({ total: amount, asset: assetId }).strict().nullable(),
  started_at: isoTime,
  updated_at: isoTime,
  completed_at: isoTime.nullable(),
  user_action_required_by: isoTime.optional(),
  stellar_transaction_id: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  external_transaction_id: z.string().nullable(),
  message: z.string().nullable(),
  refunded: z.boolean(),
  refunds: refundsSchema.optional(),
  from: z.string().nullable(),
  to: z.string().nullable(),
};

export const depositTransactionSchema = z
  .object({
    ...common,
    kind: z.literal('deposit'),
    deposit_memo: z.string().nullable(),
    deposit_memo_type: z.enum(['text', 'id', 'hash']).nullable(),
    claimable_balance_id: z.string().nullable(),
  })
  .strict();

export const withdrawTransactionSchema = z
  .object({
    ...common,
    kind: z.literal('withdrawal'),
    withdraw_anchor_account: z
      .string()
      .regex(/^[GM][A-Z2-7]{55,68}$/)
      .nullable(),
    withdraw_memo: z.string().nullable(),
    withdraw_memo_type: z.enum(['text', 'id', 'hash']).nullable(),
  })
  .strict();

import { z } from '@hono/zod-openapi';

/** SEP-6 query shapes (S6-04, S6-06, S6-10): strings at the edge, checked by the handlers' own rules. */
const opt = (max: number) =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().max(max, `must be at most ${max} characters`).optional(),
  );

const common = {
  asset_code: opt(12),
  funding_method: opt(64),
  type: opt(64).openapi({ description: 'deprecated alias of funding_method (A-12)' }),
  account: opt(69),
  amount: opt(40),
  lang: opt(35),
  on_change_callback: opt(2000),
  country_code: opt(3),
  customer_id: opt(100),
  location_id: opt(100),
  wallet_name: opt(200),
  wallet_url: opt(2000),
};

export const depositQuery = z.object({
  ...common,
  memo: opt(64),
  memo_type: opt(8),
  email_address: opt(320),
  claimable_balance_supported: opt(5),
});

/** S6-08: the Stellar asset is `destination_asset` (a code), the off-chain one `source_asset` (iso4217:BRL). */
export const depositExchangeQuery = depositQuery.extend({
  destination_asset: opt(12).openapi({ description: 'code of the Stellar asset to receive (see /info)' }),
  source_asset: opt(120).openapi({ description: 'the off-chain asset sent, in SEP-38 form: iso4217:BRL' }),
  quote_id: opt(64).openapi({ description: 'a firm SEP-38 quote (POST /quote, context sep6)' }),
});

export const withdrawQuery = z.object({
  ...common,
  dest: opt(100).openapi({
    description:
      'bank account number of the payout (deprecated in SEP-6); without it the withdrawal waits in pending_transaction_info_update for PATCH /transactions/:id (S6-11)',
  }),
  dest_extra: opt(100).openapi({ description: 'routing / sort code / BIC of dest' }),
  memo: opt(64),
  memo_type: opt(8),
  refund_memo: opt(64),
  refund_memo_type: opt(8),
});

/** S6-08: the Stellar asset is `source_asset` (a code), the off-chain payout `destination_asset` (iso4217:BRL). */
export const withdrawExchangeQuery = withdrawQuery.extend({
  source_asset: opt(12).openapi({ description: 'code of the Stellar asset to send (see /info)' }),
  destination_asset: opt(120).openapi({
    description: 'the off-chain asset paid out, in SEP-38 form: iso4217:BRL',
  }),
  quote_id: opt(64).openapi({ description: 'a firm SEP-38 quote (POST /quote, context sep6)' }),
});

export const transactionQuery = z.object({
  id: opt(100),
  stellar_transaction_id: opt(100),
  external_transaction_id: opt(100),
  lang: opt(35),
});

export const transactionsQuery = z.object({
  asset_code: opt(12),
  account: opt(69),
  // S6-10: a list, repeated (kind=a&kind=b arrives as an array) or comma-separated; the handler reads every value.
  kind: z
    .preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .union([
          z.string().max(200, 'must be at most 200 characters'),
          z.array(z.string().max(200, 'must be at most 200 characters')).max(8, 'is repeated too often'),
        ])
        .optional(),
    )
    .openapi({
      description:
        'deposit, deposit-exchange, withdrawal or withdrawal-exchange; repeated or comma-separated',
    }),
  no_older_than: opt(40),
  limit: opt(6),
  paging_id: opt(100),
  lang: opt(35),
});

const num = z.number();
export const depositAnswer = z
  .object({
    how: z.string(),
    id: z.string(),
    instructions: z.record(z.string(), z.object({ value: z.string(), description: z.string() })),
    eta: z.number().int(),
    min_amount: num,
    max_amount: num,
    fee_fixed: num,
    fee_percent: num,
    extra_info: z.object({ message: z.string() }),
  })
  .openapi('Sep6Deposit');

export const withdrawAnswer = z
  .object({
    id: z.string(),
    eta: z.number().int(),
    min_amount: num,
    max_amount: num,
    fee_fixed: num,
    fee_percent: num,
    extra_info: z.object({ message: z.string() }),
  })
  .openapi('Sep6Withdraw');

export const transactionObject = z
  .object({ id: z.string(), kind: z.string(), status: z.string() })
  .loose()
  .openapi('Sep6Transaction');

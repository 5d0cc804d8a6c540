import { z } from '@hono/zod-openapi';

/** SEP-38 wire shapes (S38-03..08): snake_case, every amount and price a string. */

const field = (max: number) =>
  z
    .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
    .max(max, `must be at most ${max} characters`);
const optionalField = (max: number) => z.preprocess((v) => (v === '' ? undefined : v), field(max).optional());

const asset = field(120).openapi({ example: 'iso4217:BRL' });
const amount = optionalField(40).openapi({ example: '100' });
const method = optionalField(64).openapi({ example: 'bank_transfer' });
const context = z.enum(['sep6', 'sep24', 'sep31'], { error: 'must be sep6 or sep24' });

const deliveryMethod = z.object({ name: z.string(), description: z.string() });
export const infoBody = z
  .object({
    assets: z.array(
      z.object({
        asset: z.string(),
        sell_delivery_methods: z.array(deliveryMethod).optional(),
        buy_delivery_methods: z.array(deliveryMethod).optional(),
        country_codes: z.array(z.string()).optional(),
      }),
    ),
  })
  .openapi('Sep38Info');

export const pricesQuery = z.object({
  sell_asset: optionalField(120),
  sell_amount: amount,
  buy_asset: optionalField(120),
  buy_amount: amount,
  sell_delivery_method: method,
  buy_delivery_method: method,
  country_code: optionalField(8),
  context: z.preprocess((v) => (v === '' ? undefined : v), context.optional()),
});

const priced = z.object({ asset: z.string(), price: z.string(), decimals: z.number().int() });
export const pricesBody = z
  .union([z.object({ buy_assets: z.array(priced) }), z.object({ sell_assets: z.array(priced) })])
  .openapi('Sep38Prices');

export const priceQuery = z.object({
  sell_asset: asset,
  buy_asset: asset,
  sell_amount: amount,
  buy_amount: amount,
  sell_delivery_method: method,
  buy_delivery_method: method,
  country_code: optionalField(8),
  context: context.openapi({ example: 'sep6' }),
});

const fee = z.object({
  total: z.string(),
  asset: z.string(),
  details: z
    .array(z.object({ name: z.string(), description: z.string().optional(), amount: z.string() }))
    .optional(),
});
export const priceBody = z
  .object({
    total_price: z.string(),
    price: z.string(),
    sell_amount: z.string(),
    buy_amount: z.string(),
    fee,
  })
  .openapi('Sep38Price');

export const quoteRequest = z
  .object({
    sell_asset: asset,
    buy_asset: asset,
    sell_amount: amount,
    buy_amount: amount,
    sell_delivery_method: method,
    buy_delivery_method: method,
    country_code: optionalField(8),
    expire_after: optionalField(40).openapi({ example: '2030-01-01T00:00:00Z' }),
    context: context.openapi({ example: 'sep6' }),
  })
  .openapi('Sep38QuoteRequest');

export const quoteBody = z
  .object({
    id: z.string(),
    expires_at: z.string(),
    total_price: z.string(),
    price: z.string(),
    sell_asset: z.string(),
    sell_amount: z.string(),
    sell_delivery_method: z.string().optional(),
    buy_asset: z.string(),
    buy_amount: z.string(),
    buy_delivery_method: z.string().optional(),
    fee,
  })
  .openapi('Sep38Quote');

export const quoteParams = z.object({ id: field(100).openapi({ param: { name: 'id', in: 'path' } }) });

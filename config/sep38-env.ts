import { z } from 'zod';

/**
 * SEP-38 quotes (ANCHOR_QUOTE_SERVER): the off-chain assets priced against ASSET_CODE and the configured rates.
 * Spread into `envSchema` (config/schema.ts) like every other surface's block.
 */

const ASSET = /^iso4217:[A-Z]{3}$/;
const RATE = /^iso4217:[A-Z]{3}=\d+(\.\d{1,12})?$/;
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export const sep38Env = {
  SEP38_ENABLED: flag
    .optional()
    .describe(
      'serve SEP-38 quotes at /sep38 and list ANCHOR_QUOTE_SERVER in stellar.toml (default: true in the sandbox only)',
    ),
  SEP38_OFFCHAIN_ASSETS: z
    .string()
    .default('iso4217:USD,iso4217:BRL')
    .refine((v) => list(v).length > 0 && list(v).every((a) => ASSET.test(a)), {
      message: 'must be iso4217:CCY entries separated by commas',
    })
    .describe('off-chain assets quoted against ASSET_CODE, in SEP-38 form (iso4217:USD,iso4217:BRL)'),
  SEP38_MID_RATES: z
    .string()
    .refine((v) => list(v).length > 0 && list(v).every((p) => RATE.test(p)), {
      message: 'must be iso4217:CCY=RATE pairs separated by commas (RATE: units of CCY per 1 ASSET_CODE)',
    })
    .optional()
    .describe(
      'mid-market rates of the configured rate provider, iso4217:CCY=RATE,...: units of CCY that one ASSET_CODE is worth (sandbox default iso4217:USD=1,iso4217:BRL=5.4; required outside the sandbox when SEP-38 is on). Move them by changing this key and restarting the API',
    ),
  SEP38_SPREAD_PERCENT: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,7})?$/, 'must be percentage points below 100 with at most 7 decimals, e.g. 1.5')
    .default('1')
    .describe('the anchor spread in percentage points of sell_amount, charged as the quote fee (S38-06)'),
  SEP38_QUOTE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(86_400)
    .default(600)
    .describe('how long a firm quote (POST /quote) stays valid; a later expire_after is refused (S38-07)'),
  SEP38_EXPIRED_QUOTE_RULE: z
    .enum(['refund', 'requote'])
    .default('refund')
    .describe(
      'funds that arrive after their quote expired: refund them in full, or requote at the current price and convert only if the user accepts the new quote (else refund)',
    ),
};

export { list as splitList };

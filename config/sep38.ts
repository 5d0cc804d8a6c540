import type { BuildContext } from './context.js';
import type { Env } from './schema.js';
import { splitList } from './sep38-env.js';

const SANDBOX_MID_RATES = 'iso4217:USD=1,iso4217:BRL=5.4';

/** SEP-38: which off-chain assets are quoted, their mid rates against ASSET_CODE, the spread and quote lifetime. */
export function buildSep38Config(e: Env, ctx: BuildContext) {
  const enabled = e.SEP38_ENABLED ?? ctx.sandbox;
  const offchainAssets = [...new Set(splitList(e.SEP38_OFFCHAIN_ASSETS))];
  if (enabled && !ctx.sandbox && e.SEP38_MID_RATES === undefined) {
    ctx.issues.push({
      key: 'SEP38_MID_RATES',
      message:
        'is required outside the sandbox when SEP-38 is enabled (the sandbox rates are not real prices)',
    });
  }
  const midRates: Record<string, string> = {};
  for (const pair of splitList(e.SEP38_MID_RATES ?? SANDBOX_MID_RATES)) {
    const [asset, rate] = pair.split('=') as [string, string];
    midRates[asset] = rate;
  }
  if (enabled) {
    for (const asset of offchainAssets) {
      if (midRates[asset] === undefined || /^0+(\.0+)?$/.test(midRates[asset])) {
        ctx.issues.push({ key: 'SEP38_MID_RATES', message: `needs a non-zero rate for ${asset}` });
      }
    }
  }
  return {
    enabled,
    offchainAssets,
    /** Units of each off-chain asset that one ASSET_CODE is worth at mid-market (decimal strings). */
    midRates,
    /** Percentage points of sell_amount ('1' is 1 %). */
    spreadPercent: e.SEP38_SPREAD_PERCENT,
    quoteTtlSeconds: e.SEP38_QUOTE_TTL_SECONDS,
    /** Funds after a quote expired: refunded, or requoted with the user's consent (README "Quotes in transfers"). */
    expiredQuoteRule: e.SEP38_EXPIRED_QUOTE_RULE,
  };
}

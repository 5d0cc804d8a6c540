import { type BuildContext, withoutTrailingSlash } from './context.js';
import {
  SANDBOX_ANCHOR_BANK_ACCOUNT,
  SANDBOX_BANK_API_KEY,
  SANDBOX_BANK_WEBHOOK_SECRET,
} from './sandbox-keys.js';
import type { Env } from './schema.js';

/** Bank rails: the bank API (default: the sandbox bank), its webhook and how deposits are matched. */
export function buildBankConfig(e: Env, ctx: BuildContext) {
  return {
    apiUrl: withoutTrailingSlash(e.BANK_API_URL ?? `http://localhost:${e.SANDBOX_BANK_PORT}`),
    apiKey: e.BANK_API_KEY ?? SANDBOX_BANK_API_KEY,
    webhookSecret: e.BANK_WEBHOOK_SECRET ?? SANDBOX_BANK_WEBHOOK_SECRET,
    webhookToleranceSeconds: e.BANK_WEBHOOK_TOLERANCE_SECONDS,
    pollIntervalSeconds: e.BANK_POLL_INTERVAL_SECONDS,
    depositMatching: e.DEPOSIT_MATCHING,
    /** Fiat currency of the bank account: the only one a deposit is credited in. */
    currency: e.BANK_CURRENCY ?? e.ASSET_CODE.slice(0, 3).toUpperCase(),
    /** Where the sandbox bank delivers its webhooks. */
    sandboxWebhookUrl: e.SANDBOX_BANK_WEBHOOK_URL ?? `${ctx.publicUrl}/webhooks/bank`,
    /** The anchor's own bank account shown to depositing users; undefined: the page shows only the reference. */
    anchorAccount:
      e.ANCHOR_BANK_ACCOUNT ?? (ctx.profile === 'sandbox' ? SANDBOX_ANCHOR_BANK_ACCOUNT : undefined),
  };
}

import { type BuildContext, withoutTrailingSlash } from './context.js';
import type { Env } from './schema.js';

/** SEP-1 stellar.toml: the [DOCUMENTATION] block, the [[CURRENCIES]] entry of ASSET_CODE and extra ACCOUNTS. */
export function buildSep1Config(e: Env, ctx: BuildContext) {
  const orgUrl = withoutTrailingSlash(e.ORG_URL ?? ctx.publicUrl);
  if (!ctx.sandbox && !orgUrl.startsWith('https://')) {
    ctx.issues.push({ key: 'ORG_URL', message: `must be an https:// URL for the ${ctx.profile} profile` });
  }
  const orgHost = new URL(orgUrl).hostname;
  return {
    documentation: {
      orgName: e.ORG_NAME,
      orgUrl,
      orgLogo: e.ORG_LOGO ?? `${ctx.publicUrl}/.well-known/logo.png`,
      orgDescription: e.ORG_DESCRIPTION,
      orgPhysicalAddress: e.ORG_PHYSICAL_ADDRESS,
      orgOfficialEmail: e.ORG_OFFICIAL_EMAIL ?? `anchor@${orgHost}`,
      orgSupportEmail: e.ORG_SUPPORT_EMAIL ?? `support@${orgHost}`,
    },
    currency: {
      status: e.ASSET_STATUS ?? (ctx.profile === 'mainnet' ? 'live' : 'test'),
      displayDecimals: e.ASSET_DISPLAY_DECIMALS,
      name: e.ASSET_NAME ?? e.ASSET_CODE,
      desc:
        e.ASSET_DESC ??
        `${e.ASSET_CODE} is redeemable one to one for ${e.ASSET_ANCHOR_ASSET} held in reserve by the anchor.`,
      isAssetAnchored: e.ASSET_IS_ANCHORED,
      anchorAssetType: e.ASSET_ANCHOR_TYPE,
      anchorAsset: e.ASSET_ANCHOR_ASSET,
      redemptionInstructions: e.ASSET_REDEMPTION_INSTRUCTIONS,
    },
    extraAccounts: e.SEP1_EXTRA_ACCOUNTS.split(',').filter((a) => a !== ''),
  };
}

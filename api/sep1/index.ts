import { createRoute } from '@hono/zod-openapi';
import { stringify } from 'smol-toml';
import type { AppConfig } from '../../config/index.js';
import type { ApiDeps } from '../deps.js';
import { createRouter } from '../openapi/hono.js';
import { media } from '../openapi/responses.js';
import { SEP6_PATH, SEP10_PATH, SEP12_PATH, SEP24_PATH, SEP38_PATH, STELLAR_TOML_PATH } from '../paths.js';
import { LOGO_PNG } from './logo.js';

/** SEP-1 version the generated file follows (S1-06). */
export const SEP1_VERSION = '2.7.0';
export const LOGO_PATH = '/.well-known/logo.png';

/** The organization block, for the hosted pages (footer, contact, logo) as well as the toml (S1-15). */
export interface Documentation {
  ORG_NAME: string;
  ORG_URL: string;
  ORG_LOGO: string;
  ORG_DESCRIPTION: string;
  ORG_PHYSICAL_ADDRESS: string;
  ORG_OFFICIAL_EMAIL: string;
  ORG_SUPPORT_EMAIL: string;
}

export function documentation(config: AppConfig): Documentation {
  const d = config.sep1.documentation;
  return {
    ORG_NAME: d.orgName,
    ORG_URL: d.orgUrl,
    ORG_LOGO: d.orgLogo,
    ORG_DESCRIPTION: d.orgDescription,
    ORG_PHYSICAL_ADDRESS: d.orgPhysicalAddress,
    ORG_OFFICIAL_EMAIL: d.orgOfficialEmail,
    ORG_SUPPORT_EMAIL: d.orgSupportEmail,
  };
}

/** Every G... account this domain controls (S1-13): issuer, distribution (which also receives withdrawals), extras. */
export function controlledAccounts(config: AppConfig): string[] {
  return [
    ...new Set([
      config.stellar.issuerAccount,
      config.stellar.distributionAccount,
      // withdrawal-receiving accounts the payment observer watches (S1-13)
      ...config.payments.receivingAccounts,
      ...config.sep1.extraAccounts,
    ]),
  ];
}

/** The stellar.toml document as a plain object, in the order it is written (globals before tables, S1-05). */
export function stellarTomlDocument(config: AppConfig) {
  const base = config.api.publicUrl;
  const c = config.sep1.currency;
  return {
    VERSION: SEP1_VERSION,
    NETWORK_PASSPHRASE: config.stellar.networkPassphrase,
    SIGNING_KEY: config.stellar.signingKey,
    WEB_AUTH_ENDPOINT: `${base}${SEP10_PATH}`,
    TRANSFER_SERVER: `${base}${SEP6_PATH}`,
    TRANSFER_SERVER_SEP0024: `${base}${SEP24_PATH}`,
    KYC_SERVER: `${base}${SEP12_PATH}`,
    ...(config.sep38.enabled ? { ANCHOR_QUOTE_SERVER: `${base}${SEP38_PATH}` } : {}),
    HORIZON_URL: config.stellar.horizonUrl,
    ACCOUNTS: controlledAccounts(config),
    DOCUMENTATION: documentation(config),
    CURRENCIES: [
      {
        code: config.stellar.assetCode,
        issuer: config.stellar.issuerAccount,
        status: c.status,
        display_decimals: c.displayDecimals,
        name: c.name,
        desc: c.desc,
        is_unlimited: true,
        is_asset_anchored: c.isAssetAnchored,
        anchor_asset_type: c.anchorAssetType,
        anchor_asset: c.anchorAsset,
        redemption_instructions: c.redemptionInstructions,
      },
    ],
  };
}

export function stellarToml(config: AppConfig): string {
  return `# stellar.toml (SEP-1 ${SEP1_VERSION}), generated from the anchor's configuration.\n${stringify(stellarTomlDocument(config))}`;
}

/** GET /.well-known/stellar.toml (S1-01..05) and the default logo. CORS comes from the app-wide middleware. */
const tomlRoute = createRoute({
  method: 'get',
  path: STELLAR_TOML_PATH,
  tags: ['SEP-1'],
  summary: 'stellar.toml',
  responses: { 200: media('text/plain', 'TOML (SEP-1)') },
});
const logoRoute = createRoute({
  method: 'get',
  path: LOGO_PATH,
  tags: ['SEP-1'],
  summary: 'ORG_LOGO image',
  responses: { 200: media('image/png', 'PNG', 'binary') },
});

export function sep1App({ config }: Pick<ApiDeps, 'config'>) {
  const app = createRouter();
  // The file only changes with the config, so it is rendered once.
  const toml = stellarToml(config);
  app.openapi(tomlRoute, (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.text(toml, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  });
  app.openapi(logoRoute, (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(new Uint8Array(LOGO_PNG), 200, { 'Content-Type': 'image/png' });
  });
  return app;
}

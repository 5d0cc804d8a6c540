import { StrKey } from '@stellar/stellar-sdk';
import { QuoteError } from './errors.js';

/**
 * SEP-38 asset identifiers (S38-02): `stellar:CODE:ISSUER` for the anchor's Stellar asset, `iso4217:CCY` for
 * the off-chain ones. Only Stellar ↔ off-chain pairs are quoted.
 */

export interface DeliveryMethod {
  name: string;
  description: string;
}

export interface QuoteAsset {
  /** The SEP-38 identifier, exactly as the wire carries it. */
  id: string;
  kind: 'stellar' | 'offchain';
  /** Places the asset's amounts are expressed in (Stellar: 7 stroops; ISO 4217 currencies: 2). */
  decimals: number;
  /** Off-chain only: how the money moves (S38-03, matches SEP-6 `funding_methods`). */
  deliveryMethods: DeliveryMethod[];
}

/** The one way fiat moves in and out of this anchor (SEP-6 `funding_methods`, SEP-38 delivery methods). */
export const BANK_TRANSFER: DeliveryMethod = {
  name: 'bank_transfer',
  description: 'A bank transfer to or from your bank account, in the currency of the asset',
};
export const FUNDING_METHODS: readonly DeliveryMethod[] = [BANK_TRANSFER];

export function stellarAssetId(code: string, issuer: string | null): string {
  return issuer ? `stellar:${code}:${issuer}` : 'stellar:native';
}

/** The Stellar asset first (validators sell the first `stellar:` entry), then the off-chain list. */
export function quoteAssets(config: {
  stellar: { assetCode: string; issuerAccount: string | null };
  sep38: { offchainAssets: readonly string[] };
}): QuoteAsset[] {
  return [
    {
      id: stellarAssetId(config.stellar.assetCode, config.stellar.issuerAccount),
      kind: 'stellar',
      decimals: 7,
      deliveryMethods: [],
    },
    ...config.sep38.offchainAssets.map(
      (id): QuoteAsset => ({ id, kind: 'offchain', decimals: 2, deliveryMethods: [...FUNDING_METHODS] }),
    ),
  ];
}

/** Checks the form of an identifier (S38-02) before looking it up, so a typo says what is wrong. */
export function assertAssetId(name: string, id: string): void {
  const stellar = /^stellar:([A-Za-z0-9]{1,12}):(G[A-Z2-7]{55})$/.exec(id);
  if (stellar && StrKey.isValidEd25519PublicKey(stellar[2]!)) return;
  if (id === 'stellar:native' || /^iso4217:[A-Z]{3}$/.test(id)) return;
  throw new QuoteError(
    'invalid_asset',
    `${name} must be a SEP-38 asset: stellar:CODE:ISSUER or iso4217:CCY (got ${JSON.stringify(id.slice(0, 80))})`,
  );
}

export function findAsset(assets: readonly QuoteAsset[], name: string, id: string): QuoteAsset {
  assertAssetId(name, id);
  const asset = assets.find((a) => a.id === id);
  if (!asset) throw new QuoteError('invalid_asset', `${name} ${id} is not offered: see GET /info`);
  return asset;
}

/** A delivery method named for an asset must be one of that asset's (S38-03); Stellar assets have none. */
export function checkDeliveryMethod(
  name: string,
  asset: QuoteAsset,
  method: string | undefined,
): string | undefined {
  if (method === undefined || method === '') return undefined;
  if (!asset.deliveryMethods.some((m) => m.name === method)) {
    throw new QuoteError(
      'invalid_delivery_method',
      asset.kind === 'stellar'
        ? `${name} does not apply to ${asset.id}: Stellar assets have no delivery method`
        : `${name} ${method} is not offered for ${asset.id}: see GET /info`,
    );
  }
  return method;
}

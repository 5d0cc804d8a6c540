import { Asset } from '@stellar/stellar-sdk';

/** An asset as the anchor stores it: code plus issuer, or the native asset (code 'native', issuer null). */
export interface AssetRef {
  code: string;
  issuer: string | null;
}

export const NATIVE: AssetRef = { code: 'native', issuer: null };

export function isNative(asset: AssetRef): boolean {
  return asset.issuer === null && (asset.code === 'native' || asset.code === 'XLM');
}

// SDK assets by code:issuer: a 100-operation batch names one asset 100 times, and each new Asset checks its
// issuer's checksum. Nothing mutates an Asset; the map is small (the anchor's assets) and bounded anyway.
const sdkAssets = new Map<string, Asset>();

export function toSdkAsset(asset: AssetRef): Asset {
  if (isNative(asset)) return Asset.native();
  if (!asset.issuer) throw new Error(`asset ${asset.code} needs an issuer`);
  const key = `${asset.code}:${asset.issuer}`;
  let known = sdkAssets.get(key);
  if (!known) {
    known = new Asset(asset.code, asset.issuer);
    if (sdkAssets.size >= 256) sdkAssets.clear();
    sdkAssets.set(key, known);
  }
  return known;
}

/** The asset this anchor issues (from `AppConfig`; typed structurally so stellar/ imports nothing above it). */
export function anchorAsset(config: {
  stellar: { assetCode: string; issuerAccount: string | null };
}): AssetRef {
  return { code: config.stellar.assetCode, issuer: config.stellar.issuerAccount };
}

/** Reads Horizon's (asset_type, asset_code, asset_issuer) triple, with an optional field prefix (`source_`). */
export function fromHorizonAsset(record: Record<string, unknown>, prefix = ''): AssetRef {
  if (record[`${prefix}asset_type`] === 'native') return NATIVE;
  return {
    code: String(record[`${prefix}asset_code`]),
    issuer: (record[`${prefix}asset_issuer`] as string | undefined) ?? null,
  };
}

export function sameAsset(a: AssetRef, b: AssetRef): boolean {
  if (isNative(a) || isNative(b)) return isNative(a) && isNative(b);
  return a.code === b.code && a.issuer === b.issuer;
}

/** SEP-38 asset identifier: `stellar:CODE:ISSUER` or `stellar:native`. */
export function assetId(asset: AssetRef): string {
  return isNative(asset) ? 'stellar:native' : `stellar:${asset.code}:${asset.issuer}`;
}

/**
 * Where each SEP surface is mounted. stellar.toml publishes `${publicUrl}${path}` for each (S1-09..11), so the
 * mount in api/app.ts and the published URL come from the same constant. No trailing slashes.
 */
export const SEP10_PATH = '/auth';
export const SEP24_PATH = '/sep24';
export const SEP12_PATH = '/kyc';
export const SEP38_PATH = '/sep38';
export const SEP6_PATH = '/sep6';
export const STELLAR_TOML_PATH = '/.well-known/stellar.toml';

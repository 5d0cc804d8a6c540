import { z } from '@hono/zod-openapi';
import { StrKey } from '@stellar/stellar-sdk';
import type { AppConfig, Sep24AssetOperation } from '../../config/index.js';
import { InvalidMemoError, type MemoType, parseMemo } from '../../stellar/memos.js';
import { canonicalAmount, compareAmounts, isAmount } from '../../stellar/money.js';
import { sep9Field } from '../../stellar/sep9.js';
import { apiError } from '../middleware/errors.js';
import { text } from '../openapi/fields.js';

/** Field rules shared by the deposit and withdraw interactive endpoints (S24-08, S24-09, S24-13). */

/** `lang` (RFC 4646): unknown or malformed falls back to `en`; shared with every hosted page. */
export { resolveLang } from '../../core/i18n/index.js';

export const boolField = z
  .enum(['true', 'false', '1', '0', 'True', 'False'])
  .transform((v) => v === 'true' || v === '1' || v === 'True');

/** A callback target: an http(s) URL (https outside the sandbox) or the literal `postMessage` (S24-19). */
export function callbackField(config: AppConfig) {
  return text(2000).refine(
    (v) => {
      if (v === 'postMessage') return true;
      try {
        const u = new URL(v);
        return u.protocol === 'https:' || (config.profile === 'sandbox' && u.protocol === 'http:');
      } catch {
        return false;
      }
    },
    { message: `must be an ${config.profile === 'sandbox' ? 'http(s)' : 'https'} URL or "postMessage"` },
  );
}

/** `asset_code` / `asset_issuer` against /info (S24-08, S24-09, S24-13). */
export function checkAsset(
  config: AppConfig,
  op: Sep24AssetOperation,
  direction: 'deposit' | 'withdraw',
  assetCode: string | undefined,
  assetIssuer: string | undefined,
): void {
  if (!assetCode) throw apiError(400, 'api.asset_code_required');
  if (assetCode !== config.stellar.assetCode) {
    throw apiError(400, 'api.asset_not_supported', { asset: assetCode });
  }
  if (!op.enabled)
    throw apiError(400, direction === 'deposit' ? 'api.deposit_disabled' : 'api.withdraw_disabled', {
      asset: assetCode,
    });
  if (assetIssuer !== undefined && assetIssuer !== config.stellar.issuerAccount) {
    throw apiError(400, 'api.issuer_mismatch', { asset: assetCode });
  }
}

/** Optional `amount`: a positive decimal with ≤ 7 places inside [min, max] (S24-09). */
export function checkAmount(op: Sep24AssetOperation, amount: string | undefined): string | null {
  if (amount === undefined || amount === '') return null;
  if (!isAmount(amount) || compareAmounts(amount, '0') <= 0) {
    throw apiError(400, 'api.amount_invalid');
  }
  if (compareAmounts(amount, op.minAmount) < 0) {
    throw apiError(400, 'api.amount_below_min', { min: canonicalAmount(op.minAmount) });
  }
  if (compareAmounts(amount, op.maxAmount) > 0) {
    throw apiError(400, 'api.amount_above_max', { max: canonicalAmount(op.maxAmount) });
  }
  return canonicalAmount(amount);
}

/** `account`: a valid G..., M... or C... strkey (S24-09; VAL: invalid gives 400). */
export function checkAccount(account: string): string {
  if (
    StrKey.isValidEd25519PublicKey(account) ||
    StrKey.isValidMed25519PublicKey(account) ||
    StrKey.isValidContract(account)
  ) {
    return account;
  }
  throw apiError(400, 'api.account_invalid');
}

/** `memo` / `memo_type` through the one memo parser (stellar/memos.ts); hash memos are base64 (S24-09). */
export function checkMemo(
  memo: string | undefined,
  memoType: string | undefined,
): { memo: string; memoType: MemoType } | null {
  try {
    const spec = parseMemo(memo, memoType);
    return spec && { memo: spec.value, memoType: spec.type };
  } catch (err) {
    if (err instanceof InvalidMemoError) throw apiError(400, 'api.memo_invalid', { detail: err.message });
    throw err;
  }
}

/**
 * SEP-9 fields a wallet sent to prefill the forms (S24-09): any text field of the SEP-9 catalogue
 * (stellar/sep9.ts), strings only; binary ones are uploaded in the KYC form itself. Never logged.
 */
export function pickPrefill(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const field = sep9Field(k);
    if (!field || field.type === 'binary') continue;
    if (typeof v === 'string' && v.trim() !== '' && v.length <= 500) out[k] = v.trim();
  }
  return out;
}

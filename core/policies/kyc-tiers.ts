import type { AppConfig } from '../../config/index.js';
import { compareAmounts } from '../../stellar/money.js';
import { type KycTier, type TierFields, tierFields } from '../../stellar/sep9.js';

/** SEP-12 `type` values this anchor knows (S12-10: anything else is 400). */
export const CUSTOMER_TYPES = [
  'sep24-deposit',
  'sep24-withdraw',
  'sep6-deposit',
  'sep6-withdraw',
  'sep31-sender',
  'sep31-receiver',
] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

export interface KycRequirement {
  tier: KycTier;
  fields: TierFields;
  /** The tier-1 ceiling from config (KYC_TIER1_MAX_AMOUNT), for messages like "above 1,000". */
  tier1MaxAmount: string;
}

/**
 * Which KYC tier an operation needs: tier 1 up to KYC_TIER1_MAX_AMOUNT (inclusive), tier 2 above; without an
 * amount, tier 1. `type` is accepted for future per-type rules (S12-11); today every type uses the same tiers.
 */
export function kycRequirement(
  config: AppConfig,
  input: { amount?: string | null | undefined; type?: string | undefined },
): KycRequirement {
  const tier: KycTier = input.amount && compareAmounts(input.amount, config.kyc.tier1MaxAmount) > 0 ? 2 : 1;
  return { tier, fields: tierFields(tier), tier1MaxAmount: config.kyc.tier1MaxAmount };
}

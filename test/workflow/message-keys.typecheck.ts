/**
 * Checked by `tsc --noEmit` (npm test), not run: a transaction message must name a key of the SEP-24 catalog
 * (core/i18n/sep24.ts `sep24.msg.*`), so a sentence where a key belongs (the old KYC-timeout bug, which showed
 * users `sep24.msg.Identity verification was not completed in time.`) no longer compiles.
 */
import type { LocalizedMessage } from '../../activities/records.js';

export const inCatalog: LocalizedMessage = { key: 'expired_kyc' };

export const notInCatalog: LocalizedMessage = {
  // @ts-expect-error an English sentence is not a catalog key
  key: 'Identity verification was not completed in time.',
};

export const fullKey: LocalizedMessage = {
  // @ts-expect-error keys are written without the `sep24.msg.` prefix the activity adds
  key: 'sep24.msg.expired_kyc',
};

import { type KeyRing, parseKeyRing } from '../stellar/crypto.js';
import { type BuildContext, withoutTrailingSlash } from './context.js';
import { SANDBOX_KYC_KEY_ID, SANDBOX_KYC_WEBHOOK_SECRET, sandboxKycEncryptionKey } from './sandbox-keys.js';
import { type Env, KYC_VERIFIABLE_FIELDS } from './schema.js';

type VerifiableField = (typeof KYC_VERIFIABLE_FIELDS)[number];
const isVerifiable = (field: string): field is VerifiableField =>
  (KYC_VERIFIABLE_FIELDS as readonly string[]).includes(field);

/** SEP-12 KYC (issue 6): tiers by amount, uploads, the KYC provider and its webhook. Amounts are decimal strings. */
export function buildKycConfig(e: Env, ctx: BuildContext) {
  return {
    /** Amounts up to this (inclusive) need tier 1; above it tier 2. */
    tier1MaxAmount: e.KYC_TIER1_MAX_AMOUNT,
    /** Fields confirmed with a code before KYC proceeds (sandbox only). */
    verifyFields: e.KYC_VERIFY_FIELDS.split(',')
      .map((x) => x.trim())
      .filter(isVerifiable),
    sandboxVerificationCode: e.KYC_SANDBOX_VERIFICATION_CODE,
    uploadDir: e.KYC_UPLOAD_DIR,
    /** Documents at rest: the first key encrypts, any decrypts. */
    encryptionKeys: kycKeyRing(e.KYC_ENCRYPTION_KEYS),
    uploadMaxBytes: e.KYC_UPLOAD_MAX_BYTES,
    providerUrl: withoutTrailingSlash(e.KYC_PROVIDER_URL ?? `http://localhost:${e.SANDBOX_KYC_PORT}`),
    providerApiKey: e.KYC_PROVIDER_API_KEY,
    webhookSecret: e.KYC_WEBHOOK_SECRET ?? SANDBOX_KYC_WEBHOOK_SECRET,
    webhookToleranceSeconds: e.KYC_WEBHOOK_TOLERANCE_SECONDS,
    checkResendSeconds: e.KYC_CHECK_RESEND_SECONDS,
    sandboxDelayMs: e.SANDBOX_KYC_DELAY_MS,
    /** Where the sandbox KYC provider delivers its webhooks. */
    sandboxWebhookUrl: e.SANDBOX_KYC_WEBHOOK_URL ?? `${ctx.publicUrl}/webhooks/kyc`,
  };
}

function kycKeyRing(spec: string | undefined): KeyRing {
  const ring = parseKeyRing(spec ?? `${SANDBOX_KYC_KEY_ID}:${sandboxKycEncryptionKey()}`);
  if (typeof ring === 'string') throw new Error(`KYC_ENCRYPTION_KEYS: ${ring}`); // the schema checked it already
  return ring;
}

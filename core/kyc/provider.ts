import type { AppConfig } from '../../config/index.js';

/**
 * The KYC provider adapter: the anchor hands it a customer's fields for one tier; the verdict arrives later
 * by webhook (POST /webhooks/kyc, api/sep12/webhook.ts). The sandbox provider (sandbox/kyc) speaks this
 * protocol; a real vendor gets its own implementation of this interface.
 */
export interface KycCheckRequest {
  /** Our check id: the idempotency key, echoed back as `reference` in the webhook. */
  reference: string;
  tier: number;
  /** SEP-9 text fields (personal data: sent to the provider, never logged). */
  fields: Record<string, string>;
  /** Documents by field name: type and size only in this protocol version. */
  documents: Record<string, { content_type: string; size: number }>;
}

export interface KycProvider {
  submitCheck(request: KycCheckRequest): Promise<{ providerCheckId: string }>;
}

export class KycProviderError extends Error {
  readonly code = 'kyc_provider_unavailable';
}

/** HTTP provider: `POST <KYC_PROVIDER_URL>/checks` → 2xx `{ "id": "..." }`. */
export function httpKycProvider(config: AppConfig, doFetch: typeof fetch = fetch): KycProvider {
  return {
    async submitCheck(request) {
      let res: Response;
      try {
        res = await doFetch(`${config.kyc.providerUrl}/checks`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Idempotency-Key': request.reference,
            ...(config.kyc.providerApiKey ? { Authorization: `Bearer ${config.kyc.providerApiKey}` } : {}),
          },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(5000),
        });
      } catch (err) {
        throw new KycProviderError(
          `KYC provider unreachable: ${err instanceof Error ? err.message : 'error'}`,
        );
      }
      if (!res.ok) throw new KycProviderError(`KYC provider answered HTTP ${res.status}`);
      const body = (await res.json()) as { id?: unknown };
      if (typeof body.id !== 'string') throw new KycProviderError('KYC provider answered without an id');
      return { providerCheckId: body.id };
    },
  };
}

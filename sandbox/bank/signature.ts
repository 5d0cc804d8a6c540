import { createHmac } from 'node:crypto';

/**
 * The sandbox bank signs its webhooks the way Stripe-like PSPs do:
 * `X-Bank-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the shared secret>`.
 * Each delivery attempt is signed afresh with the current time.
 */
export const SIGNATURE_HEADER = 'X-Bank-Signature';

export function signBankWebhook(secret: string, rawBody: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

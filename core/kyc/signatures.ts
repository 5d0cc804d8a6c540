import { createHmac, timingSafeEqual } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';

/**
 * KYC provider webhooks: `X-Kyc-Timestamp: <unix seconds>` and `X-Kyc-Signature: sha256=<hex>` where the hex
 * is HMAC-SHA256(secret, "<timestamp>.<raw body>"). The sandbox provider signs with the same function.
 */
export const KYC_TIMESTAMP_HEADER = 'X-Kyc-Timestamp';
export const KYC_SIGNATURE_HEADER = 'X-Kyc-Signature';

export function signKycWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

export type WebhookVerdict = { ok: true } | { ok: false; reason: string };

export function verifyKycWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): WebhookVerdict {
  if (!headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp)) {
    return { ok: false, reason: `missing or malformed ${KYC_TIMESTAMP_HEADER}` };
  }
  if (!headers.signature) return { ok: false, reason: `missing ${KYC_SIGNATURE_HEADER}` };
  const ts = Number(headers.timestamp);
  if (Math.abs(nowSeconds - ts) > toleranceSeconds)
    return { ok: false, reason: 'timestamp outside the allowed window' };
  const expected = Buffer.from(signKycWebhook(secret, ts, rawBody));
  const given = Buffer.from(headers.signature.trim());
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad signature' };
  }
  return { ok: true };
}

/**
 * SEP-12 customer callbacks (S12-24, S12-25): `Signature: t=<unix>, s=<base64 ed25519 signature>` by the
 * SIGNING_KEY secret over "<t>.<host of the callback URL>.<exact body>". Signed anew on every attempt.
 */
export function signCallback(signingSecret: string, url: string, body: string, t: number): string {
  const host = new URL(url).host;
  const sig = Keypair.fromSecret(signingSecret).sign(Buffer.from(`${t}.${host}.${body}`, 'utf8'));
  return `t=${t}, s=${sig.toString('base64')}`;
}

/** Wallet side of S12-24 (used by tests and available to tools). */
export function verifyCallbackSignature(
  signingKey: string,
  url: string,
  body: string,
  header: string,
): { ok: boolean; t: number | undefined } {
  const m = /^t=(\d+),\s*s=([A-Za-z0-9+/=]+)$/.exec(header.trim());
  if (!m) return { ok: false, t: undefined };
  const t = Number(m[1]);
  const host = new URL(url).host;
  const ok = Keypair.fromPublicKey(signingKey).verify(
    Buffer.from(`${t}.${host}.${body}`, 'utf8'),
    Buffer.from(m[2]!, 'base64'),
  );
  return { ok, t };
}

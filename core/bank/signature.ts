import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies `X-Bank-Signature: t=<unix>,v1=<hex HMAC-SHA256("<t>.<raw body>")>` (Stripe-style): the HMAC is over
 * the raw bytes as received (never a re-serialised JSON), compared in constant time, and the timestamp must be
 * within the tolerance so a captured request cannot be replayed later. Several v1 entries (secret rotation) are
 * accepted if any one matches.
 */
export const BANK_SIGNATURE_HEADER = 'X-Bank-Signature';

/** Signs a webhook body the same way (the sandbox bank, each delivery attempt afresh with the current time). */
export function signBankWebhook(secret: string, rawBody: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

export class BankSignatureError extends Error {
  constructor(
    readonly code:
      | 'signature_missing'
      | 'signature_malformed'
      | 'signature_invalid'
      | 'timestamp_out_of_tolerance',
    message: string,
  ) {
    super(message);
    this.name = 'BankSignatureError';
  }
}

export function verifyBankSignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): { timestamp: number } {
  if (!header) throw new BankSignatureError('signature_missing', `missing ${BANK_SIGNATURE_HEADER} header`);
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2) as [string, string | undefined];
    if (k === 't' && v && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v)) signatures.push(v.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new BankSignatureError('signature_malformed', `malformed ${BANK_SIGNATURE_HEADER} header`);
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  const ok = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  if (!ok) throw new BankSignatureError('signature_invalid', 'bank webhook signature does not match');
  // Checked after the HMAC so that the timestamp itself is known to be authentic.
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    throw new BankSignatureError(
      'timestamp_out_of_tolerance',
      'bank webhook timestamp is outside the tolerance (replay?)',
    );
  }
  return { timestamp };
}

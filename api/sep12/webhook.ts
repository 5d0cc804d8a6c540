import { Hono } from 'hono';
import { z } from 'zod';
import { KYC_SIGNATURE_HEADER, KYC_TIMESTAMP_HEADER, verifyKycWebhook } from '../../core/kyc/signatures.js';
import { HttpError } from '../middleware/errors.js';
import { applyProviderEvent, type KycContext } from './service.js';

const verdictSchema = z.object({
  event_id: z.string().min(1).max(200),
  /** Our check id, sent as `reference` when the check was submitted. */
  reference: z.string().min(1).max(200),
  check_id: z.string().optional(),
  result: z.enum(['approved', 'rejected', 'needs_more_info']),
  reason: z.string().max(500).optional(),
  fields: z.array(z.string().max(100)).max(50).optional(),
});

/**
 * POST /webhooks/kyc: the provider's verdict on a check. Verified by HMAC over timestamp + raw body within a
 * time window; then applied at most once, atomically (applyProviderEvent): a repeated `event_id` answers
 * `duplicate`, a verdict on an already decided check `already_decided`, both 200 and changing nothing; the
 * winner updates the customer, signals waiting workflows and fires the one wallet callback.
 */
export function kycWebhookApp(ctx: KycContext) {
  const app = new Hono();
  app.post('/', async (c) => {
    const raw = await c.req.text();
    const verdict = verifyKycWebhook(
      ctx.config.kyc.webhookSecret,
      { timestamp: c.req.header(KYC_TIMESTAMP_HEADER), signature: c.req.header(KYC_SIGNATURE_HEADER) },
      raw,
      ctx.config.kyc.webhookToleranceSeconds,
    );
    if (!verdict.ok) throw new HttpError(401, `webhook rejected: ${verdict.reason}`, 'bad_signature');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'webhook body is not JSON');
    }
    const event = verdictSchema.parse(json);
    const outcome = await applyProviderEvent(ctx, {
      eventId: event.event_id,
      checkId: event.reference,
      result: event.result,
      reason: event.reason,
      fields: event.fields,
    });
    if (outcome.status === 'applied') {
      ctx.logger.info(
        { customerId: outcome.customer.id, checkId: outcome.checkId, result: event.result },
        'KYC verdict applied',
      );
    }
    return c.json({ status: outcome.status });
  });
  return app;
}

import { Hono } from 'hono';
import { z } from 'zod';
import { KYC_SIGNATURE_HEADER, KYC_TIMESTAMP_HEADER, verifyKycWebhook } from '../../core/kyc/signatures.js';
import { findCheck, findCustomerById, recordWebhookEvent, webhookEventSeen } from '../../db/customers.js';
import { HttpError } from '../middleware/errors.js';
import { applyVerdict, type KycContext } from './service.js';

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
 * time window; idempotent by `event_id` (a repeat answers 200 and changes nothing); then the customer is
 * updated, waiting workflows are signalled and the wallet callback fires.
 */
export function kycWebhookApp(ctx: KycContext) {
  const app = new Hono();
  const eventSeen = (eventId: string) => webhookEventSeen(ctx.db, eventId);
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
    const check = await findCheck(ctx.db, event.reference);
    // A check of an erased customer (or someone else's install): acknowledged so the provider stops retrying.
    if (!check) return c.json({ status: 'ignored' });
    const customer = await findCustomerById(ctx.db, check.customer_id);
    if (!customer) return c.json({ status: 'ignored' });
    if (await eventSeen(event.event_id)) return c.json({ status: 'duplicate' });
    if (check.status !== 'submitted' && check.status !== 'pending_submit') {
      await recordWebhookEvent(ctx.db, event.event_id);
      return c.json({ status: 'already_decided' });
    }
    await applyVerdict(ctx, customer, check.tier, {
      checkId: check.id,
      submittedAt: check.created_at,
      result: event.result,
      reason: event.reason,
      fields: event.fields,
    });
    // Recorded only once applied: if applying failed, the provider's retry is not mistaken for a repeat.
    await recordWebhookEvent(ctx.db, event.event_id);
    ctx.logger.info(
      { customerId: customer.id, checkId: check.id, result: event.result },
      'KYC verdict applied',
    );
    return c.json({ status: 'applied' });
  });
  return app;
}

import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { KYC_SIGNATURE_HEADER, KYC_TIMESTAMP_HEADER, verifyKycWebhook } from '../../core/kyc/signatures.js';
import { HttpError } from '../middleware/errors.js';
import { acceptBodies, JSON_TYPE } from '../openapi/bodies.js';
import { text } from '../openapi/fields.js';
import { createRouter } from '../openapi/hono.js';
import { errorResponse, json } from '../openapi/responses.js';
import { applyProviderEvent, type KycContext } from './service.js';

const verdictSchema = z.object({
  event_id: text(200).min(1),
  /** Our check id, sent as `reference` when the check was submitted. */
  reference: text(200).min(1).describe('our check id, sent as `reference` when the check was submitted'),
  check_id: text(200).optional(),
  result: z.enum(['approved', 'rejected', 'needs_more_info']),
  reason: text(500).optional(),
  fields: z.array(text(100)).max(50).optional(),
});

/**
 * POST /webhooks/kyc: the provider's verdict on a check. Verified by HMAC over timestamp + raw body within a
 * time window; then applied at most once, atomically (applyProviderEvent): a repeated `event_id` answers
 * `duplicate`, a verdict on an already decided check `already_decided`, both 200 and changing nothing; the
 * winner updates the customer, signals waiting workflows and fires the one wallet callback.
 */
export function kycWebhookApp(ctx: KycContext) {
  const app = createRouter();
  /** HMAC over timestamp + raw body, before anything is parsed. */
  const signed: MiddlewareHandler = async (c, next) => {
    const verdict = verifyKycWebhook(
      ctx.config.kyc.webhookSecret,
      { timestamp: c.req.header(KYC_TIMESTAMP_HEADER), signature: c.req.header(KYC_SIGNATURE_HEADER) },
      await c.req.text(),
      ctx.config.kyc.webhookToleranceSeconds,
    );
    if (!verdict.ok) throw new HttpError(401, `webhook rejected: ${verdict.reason}`, 'bad_signature');
    await next();
  };
  const route = createRoute({
    method: 'post',
    path: '/',
    tags: ['webhooks'],
    summary: 'KYC provider decisions (HMAC-signed, applied at most once per event_id)',
    middleware: [
      signed,
      acceptBodies(verdictSchema, [JSON_TYPE], {
        status: 415,
        message: 'send the event as application/json',
      }),
    ],
    request: { body: { required: true, content: { 'application/json': { schema: verdictSchema } } } },
    responses: {
      200: json(
        z.object({ status: z.enum(['applied', 'duplicate', 'already_decided', 'ignored']).or(z.string()) }),
        'what the event did',
      ),
      400: errorResponse('not a provider event'),
      401: errorResponse('bad signature or timestamp'),
      415: errorResponse('not application/json'),
    },
  });
  app.openapi(route, async (c) => {
    const event = c.req.valid('json');
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
    return c.json({ status: outcome.status }, 200);
  });
  return app;
}

import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { bankEventWire, toIncomingTransfer } from '../../core/bank/client.js';
import { type BankIntakeDeps, ingestBankTransfer, temporalDepositSignaller } from '../../core/bank/intake.js';
import { ingestPayoutUpdate } from '../../core/bank/payout-events.js';
import { BANK_SIGNATURE_HEADER, BankSignatureError, verifyBankSignature } from '../../core/bank/signature.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { HttpError } from '../middleware/errors.js';
import { acceptBodies, bodyOf, JSON_TYPE } from '../openapi/bodies.js';
import { createRouter } from '../openapi/hono.js';
import { errorResponse, json } from '../openapi/responses.js';

/**
 * POST /webhooks/bank: the bank tells us a transfer arrived, or that a payout settled. The signature is checked over the raw body before
 * anything is parsed; the transfer is recorded once (by the bank's transfer id, so redeliveries and reorderings
 * are harmless), matched to a deposit and, after the commit, signalled to `deposit-<id>`. The answer is 200 as
 * soon as the transfer is durably recorded, even if Temporal is unreachable: the bank poller retries the signal.
 * A `payout.updated` event is recorded on the payout and signalled to `withdraw-<id>` (core/bank/payout-events.ts);
 * the withdrawal's own poll is the fallback, so that answer is 200 too.
 */
export function bankWebhookApp(deps: ApiDeps) {
  const app = createRouter<AppEnv>();
  const intake: BankIntakeDeps = {
    db: deps.db,
    matching: deps.config.bank.depositMatching,
    currency: deps.config.bank.currency,
    signal: temporalDepositSignaller(deps.temporal),
    logger: deps.logger,
  };

  /** The HMAC over the raw body, before any parsing (core/bank/signature.ts says why). */
  const signed: MiddlewareHandler<AppEnv> = async (c, next) => {
    try {
      verifyBankSignature(
        c.req.header(BANK_SIGNATURE_HEADER),
        await c.req.text(),
        deps.config.bank.webhookSecret,
        deps.config.bank.webhookToleranceSeconds,
      );
    } catch (err) {
      if (err instanceof BankSignatureError) {
        const status = err.code === 'signature_missing' || err.code === 'signature_malformed' ? 400 : 401;
        deps.logger.warn({ requestId: c.get('requestId'), code: err.code }, 'bank webhook rejected');
        throw new HttpError(status, err.message, err.code);
      }
      throw err;
    }
    await next();
  };

  const route = createRoute({
    method: 'post',
    path: '/',
    tags: ['webhooks'],
    summary: 'Bank transfer events (X-Bank-Signature HMAC over the raw body)',
    middleware: [
      bodyLimit({
        maxSize: 256 * 1024,
        onError: () => {
          throw new HttpError(413, 'webhook body too large', 'payload_too_large');
        },
      }),
      signed,
      acceptBodies(bankEventWire, [JSON_TYPE], {
        status: 415,
        message: 'send the event as application/json',
      }),
    ],
    request: {
      headers: z.object({ [BANK_SIGNATURE_HEADER.toLowerCase()]: z.string().optional() }),
      body: { ...bodyOf(bankEventWire, [JSON_TYPE], 'a bank event'), required: true },
    },
    responses: {
      200: json(
        z.object({
          received: z.literal(true),
          ignored: z.string().optional(),
          result: z.string().optional(),
          duplicate: z.boolean().optional(),
        }),
        'recorded (or an event type we do not handle)',
      ),
      400: errorResponse('missing or malformed signature header, or a body that is not a bank event'),
      401: errorResponse('bad signature or replayed timestamp'),
      413: errorResponse('body over 256 KB'),
      415: errorResponse('not application/json'),
    },
  });

  app.openapi(route, async (c) => {
    const event = c.req.valid('json');
    if (event.type === 'payout.updated' && event.data?.payout) {
      const outcome = await ingestPayoutUpdate(
        { db: deps.db, temporal: deps.temporal, logger: deps.logger },
        event.data.payout,
      );
      return c.json({ received: true as const, result: outcome.result }, 200);
    }
    if (event.type !== 'transfer.received' || !event.data?.transfer) {
      return c.json({ received: true as const, ignored: event.type }, 200);
    }
    const outcome = await ingestBankTransfer(
      intake,
      toIncomingTransfer(event.data.transfer, event.id),
      'webhook',
    );
    return c.json({ received: true as const, result: outcome.result, duplicate: !outcome.created }, 200);
  });
  return app;
}

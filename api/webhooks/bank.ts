import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { bankEventWire, toIncomingTransfer } from '../../core/bank/client.js';
import { type BankIntakeDeps, ingestBankTransfer, temporalDepositSignaller } from '../../core/bank/intake.js';
import { BANK_SIGNATURE_HEADER, BankSignatureError, verifyBankSignature } from '../../core/bank/signature.js';
import type { ApiDeps, AppEnv } from '../deps.js';
import { describeZodError, HttpError } from '../middleware/errors.js';

/**
 * POST /webhooks/bank: the bank tells us a transfer arrived. The signature is checked over the raw body before
 * anything is parsed; the transfer is recorded once (by the bank's transfer id, so redeliveries and reorderings
 * are harmless), matched to a deposit and, after the commit, signalled to `deposit-<id>`. The answer is 200 as
 * soon as the transfer is durably recorded, even if Temporal is unreachable: the bank poller retries the signal.
 */
export function bankWebhookApp(deps: ApiDeps) {
  const app = new Hono<AppEnv>();
  const intake: BankIntakeDeps = {
    db: deps.db,
    matching: deps.config.bank.depositMatching,
    currency: deps.config.bank.currency,
    signal: temporalDepositSignaller(deps.temporal),
    logger: deps.logger,
  };

  app.post(
    '/',
    bodyLimit({
      maxSize: 256 * 1024,
      onError: () => {
        throw new HttpError(413, 'webhook body too large', 'payload_too_large');
      },
    }),
    async (c) => {
      const raw = await c.req.text();
      try {
        verifyBankSignature(
          c.req.header(BANK_SIGNATURE_HEADER),
          raw,
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
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'webhook body must be JSON');
      }
      const parsed = bankEventWire.safeParse(json);
      if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
      const event = parsed.data;
      if (event.type !== 'transfer.received' || !event.data) {
        return c.json({ received: true, ignored: event.type });
      }
      const outcome = await ingestBankTransfer(
        intake,
        toIncomingTransfer(event.data.transfer, event.id),
        'webhook',
      );
      return c.json({ received: true, result: outcome.result, duplicate: !outcome.created });
    },
  );
  return app;
}

import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { ApiDeps } from '../../api/deps.js';
import { errorHandler } from '../../api/middleware/errors.js';
import { webhooksApp } from '../../api/webhooks/index.js';
import type { AppConfig } from '../../config/index.js';
import { signBankWebhook } from '../../core/bank/signature.js';

/** The /webhooks surface exactly as createApp mounts it, with the one error handler. */
export function webhookTestApp(deps: ApiDeps) {
  const app = new Hono();
  app.route('/webhooks', webhooksApp(deps));
  app.onError(errorHandler(deps.logger));
  return app;
}

export interface TestTransfer {
  id?: string;
  reference?: string;
  amount?: string;
  currency?: string;
  from_account?: string;
  from_name?: string | null;
  to_account?: string | null;
  user_id?: string | null;
  booked_at?: string;
}

export const newTransferId = () => `tr_${randomBytes(8).toString('hex')}`;

/** A `transfer.received` event body as the bank sends it. */
export function transferEvent(t: TestTransfer, eventId = `evt_${randomBytes(8).toString('hex')}`) {
  const transfer = {
    id: t.id ?? newTransferId(),
    reference: t.reference ?? '',
    amount: t.amount ?? '100.00',
    currency: t.currency ?? 'USD',
    from_account: t.from_account ?? 'DE89370400440532013000',
    from_name: t.from_name ?? 'Test Customer',
    to_account: t.to_account ?? 'SB00ANCHOR0000000001',
    user_id: t.user_id ?? null,
    booked_at: t.booked_at ?? new Date().toISOString(),
  };
  return {
    id: eventId,
    type: 'transfer.received',
    created: Math.floor(Date.now() / 1000),
    data: { transfer },
  };
}

/** POSTs a raw body to /webhooks/bank signed with `secret` at time `t` (defaults: the config secret, now). */
export function postSigned(
  app: { request: (url: string, init: RequestInit) => Response | Promise<Response> },
  config: AppConfig,
  body: string,
  opts: { t?: number; secret?: string; header?: string } = {},
) {
  const t = opts.t ?? Math.floor(Date.now() / 1000);
  const header = opts.header ?? signBankWebhook(opts.secret ?? config.bank.webhookSecret, body, t);
  return app.request('/webhooks/bank', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Bank-Signature': header },
    body,
  });
}

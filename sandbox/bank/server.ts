import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Logger } from '../../config/logger.js';
import { createSandboxBankApp } from './app.js';
import { BankStore } from './store.js';
import { WebhookSender } from './webhooks.js';

export interface SandboxBankOptions {
  /** Postgres URL and the schema the bank keeps its books in. */
  dbUrl: string;
  schema: string;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  apiKey: string;
  webhookUrl: string;
  webhookSecret: string;
  /** The anchor's own account at this bank (ANCHOR_BANK_ACCOUNT; default the sandbox one). */
  anchorAccount?: string | undefined;
  logger: Logger;
  payoutSettleMs?: number;
  webhookBaseDelayMs?: number;
  webhookMaxDelayMs?: number;
  webhookMaxAttempts?: number;
  /** Timer of the delivery loop; `false` leaves deliveries to explicit `deliverDue()` calls (tests). */
  deliveryIntervalMs?: number | false;
}

export interface SandboxBank {
  url: string;
  port: number;
  store: BankStore;
  sender: WebhookSender;
  close(opts?: { dropSchema?: boolean }): Promise<void>;
}

/** Starts the sandbox bank: its books in Postgres, its HTTP API and page, its webhook delivery loop. */
export async function startSandboxBank(opts: SandboxBankOptions): Promise<SandboxBank> {
  const store = new BankStore(opts.dbUrl, opts.schema, opts.anchorAccount);
  await store.init();
  const sender = new WebhookSender(store, {
    url: opts.webhookUrl,
    secret: opts.webhookSecret,
    baseDelayMs: opts.webhookBaseDelayMs ?? 1000,
    maxDelayMs: opts.webhookMaxDelayMs ?? 5 * 60_000,
    maxAttempts: opts.webhookMaxAttempts ?? 20,
    timeoutMs: 10_000,
    logger: opts.logger,
  });
  const interval = opts.deliveryIntervalMs ?? 500;
  /** Settles (and sends the webhook of) what is due; the caller's key first, else every payout due. */
  const settle = (key?: string) =>
    store
      .settleDuePayouts(key)
      .then((n) => (n > 0 ? sender.deliverDue() : 0))
      .catch((err) =>
        opts.logger.error({ err: { message: (err as Error).message } }, 'payout settling failed'),
      );
  // A payout settles at its own time, so its webhook leaves then, not on the next settler tick.
  const settleTimers = new Set<NodeJS.Timeout>();
  const settleAt = (key: string, inMs: number) => {
    const t = setTimeout(() => {
      settleTimers.delete(t);
      void settle(key);
    }, inMs + 5); // settle_at is Date.now() + inMs at insert: a few ms late is never early
    settleTimers.add(t);
  };
  const app = createSandboxBankApp({
    store,
    sender,
    apiKey: opts.apiKey,
    payoutSettleMs: opts.payoutSettleMs ?? 2000,
    ...(interval !== false ? { settleAt } : {}),
    logger: opts.logger,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: opts.host ?? '127.0.0.1', port: opts.port }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  if (interval !== false) sender.start(interval);
  let settler: NodeJS.Timeout | undefined;
  // The durable fallback: payouts whose timer was lost (a restart) settle within a second.
  if (interval !== false) settler = setInterval(() => void settle(), 1000);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    sender,
    async close({ dropSchema = false } = {}) {
      if (settler) clearInterval(settler);
      for (const t of settleTimers) clearTimeout(t);
      await sender.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dropSchema) await store.dropSchema();
      await store.close();
    },
  };
}

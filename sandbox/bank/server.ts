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
  const app = createSandboxBankApp({
    store,
    sender,
    apiKey: opts.apiKey,
    payoutSettleMs: opts.payoutSettleMs ?? 2000,
    logger: opts.logger,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: opts.host ?? '127.0.0.1', port: opts.port }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const interval = opts.deliveryIntervalMs ?? 500;
  if (interval !== false) sender.start(interval);
  let settler: NodeJS.Timeout | undefined;
  if (interval !== false) {
    settler = setInterval(() => void store.settleDuePayouts().catch(() => {}), 1000);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    sender,
    async close({ dropSchema = false } = {}) {
      if (settler) clearInterval(settler);
      await sender.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dropSchema) await store.dropSchema();
      await store.close();
    },
  };
}

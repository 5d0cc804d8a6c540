import type { Logger } from '../../config/logger.js';
import { BANK_SIGNATURE_HEADER, signBankWebhook } from '../../core/bank/signature.js';
import type { BankStore, DeliveryRow } from './store.js';

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  /** First retry after this long, doubling each attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this many failed attempts the delivery is marked failed (the anchor's poller still sees the transfer). */
  maxAttempts: number;
  timeoutMs: number;
  fetch?: typeof fetch;
  logger?: Logger;
}

/** Delay before attempt n+1 after n failed attempts: exponential, capped. */
export function retryDelayMs(failedAttempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, failedAttempts - 1));
}

/**
 * Delivers queued `transfer.received` events to the anchor until it answers 2xx, with exponential back-off,
 * like a real PSP. `deliverDue()` is one pass (tests call it directly); `start()` runs passes on a timer.
 */
export class WebhookSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: BankStore,
    private readonly opts: WebhookSenderOptions,
  ) {}

  /** One pass over due deliveries; concurrent calls share the pass in progress. Returns how many succeeded. */
  deliverDue(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const due = await this.store.dueDeliveries(20);
    let delivered = 0;
    for (const d of due) if (await this.deliver(d)) delivered++;
    return delivered;
  }

  private async deliver(d: DeliveryRow): Promise<boolean> {
    const doFetch = this.opts.fetch ?? fetch;
    const attempt = d.attempts + 1;
    let status: number | null = null;
    let error: string;
    try {
      const res = await doFetch(this.opts.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [BANK_SIGNATURE_HEADER]: signBankWebhook(this.opts.secret, d.body, Math.floor(Date.now() / 1000)),
          'User-Agent': 'sandbox-bank-webhooks/1',
        },
        body: d.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = res.status;
      await res.body?.cancel().catch(() => {});
      if (res.ok) {
        await this.store.recordDelivery(d.event_id, { ok: true, status });
        return true;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const retryInMs =
      attempt >= this.opts.maxAttempts
        ? null
        : retryDelayMs(attempt, this.opts.baseDelayMs, this.opts.maxDelayMs);
    await this.store.recordDelivery(d.event_id, { ok: false, status, error, retryInMs });
    this.opts.logger?.warn({ eventId: d.event_id, attempt, status, retryInMs }, 'webhook delivery failed');
    return false;
  }

  start(intervalMs: number): void {
    if (this.timer) return;
    const tick = () => {
      this.deliverDue()
        .catch((err) =>
          this.opts.logger?.error({ err: { message: (err as Error).message } }, 'webhook pass failed'),
        )
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t) clearTimeout(t);
    await this.running?.catch(() => {});
  }
}

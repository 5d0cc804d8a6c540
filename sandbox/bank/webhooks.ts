import type { Logger } from '../../config/logger.js';
import { BANK_SIGNATURE_HEADER, signBankWebhook } from '../../core/bank/signature.js';
import { createCoalescer } from '../../core/coalescer.js';
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
  /** Deliveries in flight at once (DEFAULT_WEBHOOK_CONCURRENCY). */
  concurrency?: number;
  fetch?: typeof fetch;
  logger?: Logger;
}

/** Delay before attempt n+1 after n failed attempts: exponential, capped. */
export function retryDelayMs(failedAttempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, failedAttempts - 1));
}

/** Deliveries in flight at once, across every pass, unless the options say otherwise. */
export const DEFAULT_WEBHOOK_CONCURRENCY = 32;

/**
 * Delivers queued `transfer.received` events to the anchor until it answers 2xx, with exponential back-off,
 * like a real PSP. The bank calls `deliverDue()` as soon as it books a transfer, so the webhook leaves within a
 * round trip of the booking; `start()` runs the same pass on a timer as the durable fallback (retries, a booking
 * whose immediate call failed, a sender restarted mid-attempt). Each pass claims its rows in Postgres
 * (BankStore.claimDueDeliveries), so passes run concurrently without sending one event twice at once, and
 * delivers them concurrently, at most `concurrency` in flight in all.
 */
export class WebhookSender {
  private timer: NodeJS.Timeout | undefined;
  /** Delivery slots taken (claimed or being claimed). */
  private active = 0;
  /** A pass found no free slot: run another once one frees up. */
  private backlog = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  /**
   * Successful deliveries are recorded a few milliseconds later, many in one statement: a delivery's slot is free
   * as soon as the anchor answered, not after a database round trip. Until it is recorded the row stays claimed,
   * so nothing sends it again meanwhile.
   */
  private readonly delivered = createCoalescer<{ eventId: string; status: number }>({
    windowMs: 5,
    max: 500,
    flush: (rows) =>
      this.track(
        this.store.recordDelivered(rows).catch((err) => {
          this.opts.logger?.error(
            { events: rows.length, err: { message: (err as Error).message } },
            'recording webhook deliveries failed',
          );
        }),
      ),
  });
  /** Just-booked deliveries, claimed by their booking, waiting for a free slot (in booking order). */
  private readonly booked: { row: DeliveryRow; leasedUntil: number }[] = [];

  constructor(
    private readonly store: BankStore,
    private readonly opts: WebhookSenderOptions,
  ) {}

  private get concurrency(): number {
    return Math.max(1, this.opts.concurrency ?? DEFAULT_WEBHOOK_CONCURRENCY);
  }

  /**
   * One pass: claims the due deliveries there is room for and sends them all at once. Resolves when its own
   * deliveries have been attempted, with how many succeeded (0 when every slot was busy; the pass that frees a
   * slot picks the rest up).
   */
  deliverDue(): Promise<number> {
    // After stop() a booking's row stays pending in Postgres: the next start delivers it.
    if (this.stopped) return Promise.resolve(0);
    const pass = this.pass();
    this.inFlight.add(pass);
    void pass.finally(() => this.inFlight.delete(pass)).catch(() => {});
    return pass;
  }

  /** How long a booking claims its own delivery (createTransfer's leaseMs); null once stopped. */
  bookingLeaseMs(): number | null {
    return this.stopped ? null : this.leaseMs;
  }

  private get leaseMs(): number {
    // Held past the request timeout: the outcome is recorded before the lease runs out.
    return this.opts.timeoutMs + 5_000;
  }

  /**
   * Sends a delivery its booking claimed (bookingLeaseMs) now, or as soon as a slot frees up. One whose lease
   * would run out before its request could end is left to the timer pass, which claims it again.
   */
  deliverBooked(row: DeliveryRow): void {
    if (this.stopped) return;
    this.booked.push({ row, leasedUntil: Date.now() + this.leaseMs });
    this.sendBooked();
  }

  private sendBooked(): void {
    while (this.booked.length > 0 && this.active < this.concurrency && !this.stopped) {
      const { row, leasedUntil } = this.booked.shift()!;
      if (leasedUntil - Date.now() < this.opts.timeoutMs) continue;
      this.active++;
      const sent = this.deliver(row)
        .catch((err) => {
          this.opts.logger?.error(
            { eventId: row.event_id, err: { message: (err as Error).message } },
            'recording a webhook delivery failed',
          );
        })
        .finally(() => {
          this.active--;
          this.sendBooked();
          if (this.backlog) {
            this.backlog = false;
            void this.deliverDue().catch(() => {});
          }
        });
      this.track(sent);
    }
  }

  /** Keeps `work` in the set stop() waits for. */
  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => {});
  }

  private async pass(): Promise<number> {
    const room = this.concurrency - this.active;
    if (room <= 0) {
      this.backlog = true;
      return 0;
    }
    this.active += room;
    let due: DeliveryRow[];
    try {
      due = await this.store.claimDueDeliveries(room, this.leaseMs);
    } finally {
      this.active -= room;
    }
    this.active += due.length;
    // A booking that came while this pass held every slot for its claim goes now.
    this.sendBooked();
    const full = due.length === room;
    const outcomes = await Promise.all(
      due.map((d) =>
        this.deliver(d)
          .catch((err) => {
            this.opts.logger?.error(
              { eventId: d.event_id, err: { message: (err as Error).message } },
              'recording a webhook delivery failed',
            );
            return false;
          })
          .finally(() => {
            this.active--;
            this.sendBooked();
          }),
      ),
    );
    // More may be due than this pass had room for: drain now rather than on the next timer tick.
    if (full || this.backlog) {
      this.backlog = false;
      void this.deliverDue().catch(() => {});
    }
    return outcomes.filter(Boolean).length;
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
        this.delivered.add({ eventId: d.event_id, status });
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
    this.stopped = false;
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

  /** Stops the timer and waits for the passes in flight (a drain they start is awaited too). */
  async stop(): Promise<void> {
    this.stopped = true;
    const t = this.timer;
    this.timer = undefined;
    if (t) clearTimeout(t);
    while (this.inFlight.size > 0 || this.delivered.pending > 0) {
      this.delivered.flush();
      await Promise.allSettled([...this.inFlight]);
    }
  }
}

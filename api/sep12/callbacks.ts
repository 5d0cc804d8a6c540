import type { Logger } from '../../config/logger.js';
import { signCallback } from '../../core/kyc/signatures.js';

/**
 * Delivers SEP-12 status callbacks (S12-23..25) without ever blocking the request that caused them: each
 * delivery runs in the background, re-signed on every attempt, retried with exponential back-off on network
 * errors and non-2xx answers. Deliveries live in this process only; a restart loses the pending retries (the
 * wallet can still poll GET /customer).
 */
export interface CallbackDelivery {
  customerId: string;
  url: string;
  /** The exact GET /customer body to POST. */
  body: string;
}

export interface CallbackDispatcherOptions {
  signingSecret: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** Delays before retries 1, 2, ... (ms). */
  backoffMs?: readonly number[];
}

export class CallbackDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly backoff: readonly number[];
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: CallbackDispatcherOptions) {
    this.backoff = opts.backoffMs ?? [1_000, 2_000, 4_000, 8_000, 16_000, 32_000];
    this.doFetch = opts.fetch ?? fetch;
  }

  /** Starts a delivery in the background and returns at once. */
  send(delivery: CallbackDelivery): void {
    const run = this.deliver(delivery).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** Resolves when every delivery started so far has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver({ customerId, url, body }: CallbackDelivery): Promise<void> {
    for (let attempt = 0; attempt <= this.backoff.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.backoff[attempt - 1]));
      const t = Math.floor(Date.now() / 1000);
      const signature = signCallback(this.opts.signingSecret, url, body, t);
      try {
        const res = await this.doFetch(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Signature: signature,
            'X-Stellar-Signature': signature,
          },
          body,
          signal: AbortSignal.timeout(10_000),
          redirect: 'manual',
        });
        if (res.ok) return;
        this.opts.logger.warn(
          { customerId, attempt, status: res.status },
          'KYC callback refused; will retry',
        );
      } catch (err) {
        this.opts.logger.warn(
          { customerId, attempt, error: err instanceof Error ? err.name : 'error' },
          'KYC callback failed; will retry',
        );
      }
    }
    this.opts.logger.error({ customerId }, 'KYC callback given up after every retry');
  }
}

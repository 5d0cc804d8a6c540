import { createHash } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { Logger } from '../../config/logger.js';
import { kycCallbackWorkflowId } from '../../core/ids.js';
import { signCallback } from '../../core/kyc/signatures.js';
import type { transactionCallbackWorkflow } from '../../workflows/notify.js';

/**
 * Delivers SEP-12 status callbacks (S12-23..25) without ever blocking the request that caused them, re-signed on
 * every attempt, retried with exponential back-off on network errors and non-2xx answers.
 *
 * With `temporal` set, each delivery is a transactionCallbackWorkflow (the same one SEP-24 callbacks use, with the
 * CALLBACK_DELIVERY retry policy): the API only starts it, so pending retries survive an API restart. Without it
 * (tests of the API alone), deliveries run in this process and a restart loses them.
 */
export interface CallbackDelivery {
  customerId: string;
  url: string;
  /** The exact GET /customer body to POST. */
  body: string;
}

/** The workflow ID of one SEP-12 callback: the customer and a digest of the URL and exact body. */
export function kycCallbackId(customerId: string, url: string, body: string): string {
  const digest = createHash('sha256').update(url).update('\n').update(body).digest('hex').slice(0, 32);
  return kycCallbackWorkflowId(customerId, digest);
}

export interface CallbackDispatcherOptions {
  signingSecret: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** Delays before retries 1, 2, ... (ms); in-process deliveries only. */
  backoffMs?: readonly number[];
  /** Deliver through Temporal workflows on this task queue (durable across API restarts). */
  temporal?: { client: Client; taskQueue: string };
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
    const work = this.opts.temporal
      ? this.startWorkflow(this.opts.temporal, delivery)
      : this.deliver(delivery);
    const run = work.finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** Starts the durable delivery; the same body for the same customer twice is one delivery. */
  private async startWorkflow(
    temporal: { client: Client; taskQueue: string },
    { customerId, url, body }: CallbackDelivery,
  ): Promise<void> {
    try {
      await temporal.client.workflow.start<typeof transactionCallbackWorkflow>(
        'transactionCallbackWorkflow',
        {
          taskQueue: temporal.taskQueue,
          workflowId: kycCallbackId(customerId, url, body),
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          args: [{ transactionId: customerId, url, body }],
        },
      );
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return; // delivered or being delivered already
      // Temporal unreachable: fall back to an in-process delivery rather than dropping the callback.
      this.opts.logger.warn(
        { customerId, error: err instanceof Error ? err.name : 'error' },
        'KYC callback workflow not started; delivering in process',
      );
      await this.deliver({ customerId, url, body });
    }
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

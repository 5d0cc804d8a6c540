import { type ActivityOptions, proxyActivities } from '@temporalio/workflow';
import type { createStellarActivities, PaymentRequest, PaymentResult } from '../../../activities/stellar.js';

type StellarActivities = ReturnType<typeof createStellarActivities>;

const DEFAULTS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

/**
 * Sends one Stellar payment with Temporal's retries around the idempotent activity (test/workflow/payment.test.ts):
 * whatever crashes between attempts, the payment lands once. `attemptTimeout` bounds one attempt (how soon an
 * attempt lost with its worker is retried elsewhere);
 * `heartbeatTimeout` makes a lost worker show sooner than that (test/workflow/heartbeat.test.ts).
 */
export async function sendPaymentWorkflow(
  request: PaymentRequest,
  options: { attemptTimeout?: string; heartbeatTimeout?: string } = {},
): Promise<PaymentResult> {
  const { sendPayment } = proxyActivities<StellarActivities>({
    ...DEFAULTS,
    ...(options.attemptTimeout ? { startToCloseTimeout: options.attemptTimeout } : {}),
    ...(options.heartbeatTimeout ? { heartbeatTimeout: options.heartbeatTimeout } : {}),
  });
  return sendPayment(request);
}

import { proxyActivities } from '@temporalio/workflow';
import type { createStellarActivities, PaymentRequest, PaymentResult } from '../activities/stellar.js';

const { sendPayment } = proxyActivities<ReturnType<typeof createStellarActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/**
 * Sends one Stellar payment with Temporal's retries around the idempotent activity: whatever crashes between
 * attempts, the payment lands once. Deposit and refund workflows call the activity the same way.
 */
export async function sendPaymentWorkflow(request: PaymentRequest): Promise<PaymentResult> {
  return sendPayment(request);
}

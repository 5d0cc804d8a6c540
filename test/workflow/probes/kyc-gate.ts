import { ApplicationFailure } from '@temporalio/workflow';
import { waitForKyc } from '../../../workflows/kyc.js';

/** Proves waitForKyc end to end against the real KYC provider and webhook (test/workflow/kyc.test.ts). */
export async function kycGateWorkflow(input: {
  account: string;
  memo: string | null;
  tier: number;
  timeoutSeconds: number;
}): Promise<{ kyc: 'ACCEPTED'; changes: string[] }> {
  const changes: string[] = [];
  const outcome = await waitForKyc({
    account: input.account,
    memo: input.memo,
    tier: input.tier,
    timeout: input.timeoutSeconds * 1000,
    onChange: (c) => changes.push(c.status),
  });
  if (outcome === 'REJECTED') throw ApplicationFailure.nonRetryable('KYC rejected', 'KycRejected');
  return { kyc: 'ACCEPTED', changes };
}

import { condition, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createTopUpActivities } from '../activities/topup.js';
import { type SignedEnvelope, signedEnvelopeSignal, type TopUpState, topUpStateQuery } from './messages.js';

const { topUpCheckDistribution, topUpPrepare, topUpVerifyEnvelope, topUpExpire, topUpAnnounce } =
  proxyActivities<ReturnType<typeof createTopUpActivities>>({
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 10, maximumInterval: '1 minute' },
  });

// Submission may wait for a ledger and a retry must look the hash up first: longer timeout, unlimited retries.
const { topUpSubmit } = proxyActivities<ReturnType<typeof createTopUpActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumInterval: '1 minute' },
});

export interface TopUpResult {
  status: 'not_needed' | 'completed' | 'expired';
  balance: string;
  topUpId?: string;
  amount?: string;
  txHash?: string;
  ledger?: number;
  /** Deposits woken by the distributionToppedUp signal. */
  depositsSignalled?: number;
}

/** "30m" → 1800 (the TOPUP_SIGNATURE_TIMEOUT format, validated by the config schema). */
export function durationSeconds(d: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * One run of the top-up Schedule: if the distribution balance is below TOPUP_THRESHOLD, pay issuer → distribution
 * up to TOPUP_TARGET. Sandbox: signed by the activity with the sandbox issuer. Testnet/mainnet: waits (up to
 * TOPUP_SIGNATURE_TIMEOUT) for `signedEnvelope` signals; an envelope that fails verification is recorded and the
 * workflow keeps waiting for a good one. The envelope's own time bound equals the wait, so an expired top-up can
 * never land later.
 */
export async function topUpWorkflow(): Promise<TopUpResult> {
  const state: TopUpState = { phase: 'checking', rejections: [] };
  const inbox: SignedEnvelope[] = [];
  setHandler(topUpStateQuery, () => state);
  setHandler(signedEnvelopeSignal, (envelope) => {
    inbox.push(envelope);
  });

  const plan = await topUpCheckDistribution();
  if (plan.amount === null) {
    state.phase = 'not_needed';
    return { status: 'not_needed', balance: plan.balance };
  }
  const { workflowId } = workflowInfo();
  const waitSeconds = durationSeconds(plan.signatureTimeout);
  const prepared = await topUpPrepare({
    topUpId: workflowId,
    workflowId,
    amount: plan.amount,
    balanceBefore: plan.balance,
    validForSeconds: plan.mode === 'sandbox' ? 600 : waitSeconds,
  });
  Object.assign(state, { topUpId: prepared.topUpId, amount: plan.amount, txHash: prepared.txHash });

  if (!prepared.signed) {
    state.phase = 'awaiting_signature';
    state.unsignedXdr = prepared.unsignedXdr;
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await condition(() => inbox.length > 0, remaining))) {
        await topUpExpire({ topUpId: prepared.topUpId });
        state.phase = 'expired';
        return { status: 'expired', balance: plan.balance, topUpId: prepared.topUpId, amount: plan.amount };
      }
      const envelope = inbox.shift()!;
      const verdict = await topUpVerifyEnvelope({
        topUpId: prepared.topUpId,
        envelopeXdr: envelope.envelopeXdr,
      });
      if (verdict.ok) break;
      state.rejections.push(verdict.reason);
      log.warn('top-up envelope rejected', {
        topUpId: prepared.topUpId,
        submittedBy: envelope.submittedBy,
        reason: verdict.reason,
      });
    }
  }

  state.phase = 'submitting';
  const submitted = await topUpSubmit({ topUpId: prepared.topUpId });
  state.phase = 'completed';
  const depositsSignalled = await topUpAnnounce({
    topUpId: prepared.topUpId,
    amount: plan.amount,
    txHash: submitted.txHash,
  });
  return {
    status: 'completed',
    balance: plan.balance,
    topUpId: prepared.topUpId,
    amount: plan.amount,
    txHash: submitted.txHash,
    ledger: submitted.ledger,
    depositsSignalled,
  };
}

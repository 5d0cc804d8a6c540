import { condition, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createTopUpActivities } from '../activities/topup.js';
import { TOPUP_STEPS, TOPUP_SUBMIT } from './activity-options.js';
import { type SignedEnvelope, signedEnvelopeSignal, type TopUpState, topUpStateQuery } from './messages.js';
import { durationSeconds, secondsMs } from './time.js';

type TopUpActivities = ReturnType<typeof createTopUpActivities>;

const { topUpCheckDistribution, topUpPrepare, topUpVerifyEnvelope, topUpExpire, topUpAnnounce } =
  proxyActivities<TopUpActivities>(TOPUP_STEPS);
const { topUpSubmit } = proxyActivities<TopUpActivities>(TOPUP_SUBMIT);

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
    const deadline = Date.now() + secondsMs(waitSeconds);
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

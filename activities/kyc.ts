import { Context } from '@temporalio/activity';
import type { AppConfig } from '../config/index.js';
import { customerStatusForTier, registerWaiter, removeWaiter } from '../db/customers.js';
import type { Db } from '../db/index.js';
import type { KycStatus } from '../workflows/messages.js';

/**
 * KYC activities for the deposit and withdrawal workflows (issue 6). A workflow that needs KYC registers
 * itself as a waiter on the customer (account + memo); the KYC webhook then signals `kycStatus` to it
 * (api/sep12/service.ts signalWaiters). Registering also returns the current status, so a verdict that came
 * before the registration is never missed. Both are idempotent.
 */
export interface KycWaitInput {
  account: string;
  memo: string | null;
  tier: number;
  /** Defaults to the calling workflow's id. */
  workflowId?: string;
}

export interface KycWaitState {
  status: KycStatus;
  customerId: string | null;
  missingFields: string[];
}

function callingWorkflowId(explicit: string | undefined): string {
  if (explicit) return explicit;
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  if (!workflowId) throw new Error('registerKycWaiter needs a workflowId outside a workflow');
  return workflowId;
}

export function createKycActivities(deps: { config: AppConfig; db: Db }) {
  return {
    async registerKycWaiter(input: KycWaitInput): Promise<KycWaitState> {
      const key = { account: input.account, memo: input.memo };
      await registerWaiter(deps.db, key, callingWorkflowId(input.workflowId), input.tier);
      return customerStatusForTier(deps.db, key, input.tier);
    },

    async getKycStatus(input: Omit<KycWaitInput, 'workflowId'>): Promise<KycWaitState> {
      return customerStatusForTier(deps.db, { account: input.account, memo: input.memo }, input.tier);
    },

    async unregisterKycWaiter(input: Omit<KycWaitInput, 'tier'>): Promise<void> {
      await removeWaiter(
        deps.db,
        { account: input.account, memo: input.memo },
        callingWorkflowId(input.workflowId),
      );
    },
  };
}

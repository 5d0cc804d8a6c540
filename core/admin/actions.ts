import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { AppConfig } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import { acknowledgeAlert } from '../../db/alerts.js';
import { UnmatchedTransferError } from '../../db/bank.js';
import type { Db } from '../../db/index.js';
import type { TransactionRow } from '../../db/schema.js';
import { getTopUp } from '../../db/topups.js';
import { getTransaction } from '../../db/transactions.js';
import {
  operatorDecisionSignal,
  operatorRefundSignal,
  signedEnvelopeSignal,
} from '../../workflows/messages.js';
import { createBankClient } from '../bank/client.js';
import { attachUnmatchedTransfer, type DeliveryResult, temporalDepositSignaller } from '../bank/intake.js';
import { createBankRails } from '../bank/rails.js';
import { transactionWorkflowId } from '../ids.js';

/**
 * What an operator can do, whichever front asks: the admin JSON API (api/admin/index.ts) and the operator console
 * (api/admin/console/) call these same functions, behind the same scopes and the same audit trail
 * (api/admin/audit.ts records every request of both). Transport-free: a refusal is an AdminActionError with a
 * stable code and a kind the front turns into its own answer (a JSON error, a console page).
 */
export interface AdminServiceDeps {
  config: AppConfig;
  db: Db;
  temporal: Client;
  logger: Logger;
  fetch?: typeof fetch;
}

export type AdminErrorKind = 'not_found' | 'conflict' | 'upstream';

export class AdminActionError extends Error {
  constructor(
    readonly kind: AdminErrorKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AdminActionError';
  }
}

export function workflowIdFor(tx: Pick<TransactionRow, 'id' | 'kind'>): string {
  return transactionWorkflowId(tx.kind, tx.id);
}

/** The run of a workflow in the Temporal UI. */
export function workflowUrl(config: AppConfig, workflowId: string): string {
  const { uiUrl, namespace } = config.temporal;
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

async function requireTransaction(db: Db, id: string): Promise<TransactionRow> {
  const tx = await getTransaction(db, id);
  if (!tx) throw new AdminActionError('not_found', 'not_found', 'no transaction with this id');
  return tx;
}

/** Signals a workflow; one that is not running is a conflict the operator can act on, not a crash. */
async function signalOrConflict(run: () => Promise<void>, workflowId: string): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new AdminActionError('conflict', 'workflow_not_running', `workflow ${workflowId} is not running`);
    }
    throw err;
  }
}

/** Unmatched-queue and bank refusals as admin errors: unknown → not_found, wrong state → conflict. */
async function bankAction<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UnmatchedTransferError) {
      const kind =
        err.code === 'not_found' || err.code === 'transaction_not_found' ? 'not_found' : 'conflict';
      throw new AdminActionError(kind, err.code, err.message);
    }
    if ((err as { type?: string }).type === 'BankPayoutRejected') {
      throw new AdminActionError('upstream', 'bank_rejected', (err as Error).message);
    }
    throw err;
  }
}

/** Approves or rejects a withdrawal held for review: the decision goes to its workflow, which acts on it. */
export async function decideWithdrawal(
  deps: AdminServiceDeps,
  input: {
    transactionId: string;
    decision: 'approve' | 'reject';
    reason?: string | undefined;
    operator: string;
  },
): Promise<{ workflowId: string }> {
  const tx = await requireTransaction(deps.db, input.transactionId);
  if (tx.kind !== 'withdrawal')
    throw new AdminActionError('conflict', 'not_a_withdrawal', 'not a withdrawal');
  const workflowId = workflowIdFor(tx);
  await signalOrConflict(
    () =>
      deps.temporal.workflow.getHandle(workflowId).signal(operatorDecisionSignal, {
        decision: input.decision,
        operator: input.operator,
        ...(input.reason ? { reason: input.reason } : {}),
      }),
    workflowId,
  );
  return { workflowId };
}

/** Asks a transaction's workflow to refund what it received. */
export async function refundTransaction(
  deps: AdminServiceDeps,
  input: { transactionId: string; reason?: string | undefined; operator: string },
): Promise<{ workflowId: string }> {
  const tx = await requireTransaction(deps.db, input.transactionId);
  const workflowId = workflowIdFor(tx);
  await signalOrConflict(
    () =>
      deps.temporal.workflow.getHandle(workflowId).signal(operatorRefundSignal, {
        operator: input.operator,
        ...(input.reason ? { reason: input.reason } : {}),
      }),
    workflowId,
  );
  return { workflowId };
}

/** Hands the cold signers' envelope to the top-up workflow waiting for it. */
export async function submitTopUpEnvelope(
  deps: AdminServiceDeps,
  input: { topUpId: string; envelopeXdr: string; operator: string },
): Promise<{ workflowId: string; txHash: string }> {
  const row = await getTopUp(deps.db, input.topUpId);
  if (!row) throw new AdminActionError('not_found', 'not_found', 'no top-up with this id');
  if (row.status !== 'awaiting_signature') {
    throw new AdminActionError(
      'conflict',
      'topup_not_waiting',
      `top-up is ${row.status}, not awaiting a signature`,
    );
  }
  await signalOrConflict(
    () =>
      deps.temporal.workflow
        .getHandle(row.workflow_id)
        .signal(signedEnvelopeSignal, { envelopeXdr: input.envelopeXdr, submittedBy: input.operator }),
    row.workflow_id,
  );
  return { workflowId: row.workflow_id, txHash: row.tx_hash };
}

/** An unmatched bank transfer funds this deposit after all: recorded, then delivered to its workflow. */
export async function attachUnmatched(
  deps: AdminServiceDeps,
  input: { bankTransferId: string; transactionId: string; note?: string | undefined; operator: string },
): Promise<DeliveryResult> {
  const { config, db, temporal, logger } = deps;
  return bankAction(() =>
    attachUnmatchedTransfer(
      {
        db,
        matching: config.bank.depositMatching,
        currency: config.bank.currency,
        signal: temporalDepositSignaller(temporal),
        logger,
      },
      input.bankTransferId,
      input.transactionId,
      input.operator,
      input.note,
    ),
  );
}

/** Sends an unmatched bank transfer back to its sender through the bank, once. */
export async function refundUnmatched(
  deps: AdminServiceDeps,
  input: { bankTransferId: string; reason?: string | undefined; operator: string },
): Promise<{ refundId: string }> {
  const rails = createBankRails({
    db: deps.db,
    bank: createBankClient(deps.config.bank, deps.fetch ?? fetch),
  });
  return bankAction(() => rails.refundUnmatchedTransfer(input.bankTransferId, input.operator, input.reason));
}

/** Acknowledges an open operator alert. */
export async function acknowledgeOperatorAlert(
  deps: Pick<AdminServiceDeps, 'db'>,
  id: string,
): Promise<void> {
  const outcome = /^\d+$/.test(id) ? await acknowledgeAlert(deps.db, id) : 'not_found';
  if (outcome === 'not_found') throw new AdminActionError('not_found', 'not_found', 'no alert with this id');
  if (outcome === 'already_acknowledged') {
    throw new AdminActionError('conflict', 'already_acknowledged', 'alert already acknowledged');
  }
}

import { type Client, type Workflow, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SearchAttributePair, SignalDefinition } from '@temporalio/common';
import type { AppConfig } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import type { Db } from '../../db/index.js';
import type { NewTransaction } from '../../db/schema.js';
import { updateTransaction } from '../../db/transactions.js';

/**
 * What every front (SEP-24 interactive, SEP-6 programmatic) does to begin a transfer, without HTTP: the
 * `incomplete` row's common columns and the start of the one DepositWorkflow / WithdrawalWorkflow. A front that
 * already knows everything the hosted pages would collect (SEP-6) starts the run together with the
 * `interactiveCompleted` signal, so the same workflow leaves `incomplete` at once (signal-with-start: one call,
 * no window in which the run exists without its input). Signal and search-attribute keys come from the caller:
 * they are defined in workflows/, above this layer.
 */

export type TransferNoun = 'deposit' | 'withdrawal';

export interface TransferIdentity {
  sub: string;
  account: string;
  memo?: string | null;
  clientDomain?: string | null;
}

/** The workflow could not be started: the row is marked `error` and the caller answers 503. */
export class TransferStartError extends Error {
  readonly code = 'transfer_not_started';
  constructor(readonly noun: TransferNoun) {
    super(`the ${noun} could not be started; please retry`);
    this.name = 'TransferStartError';
  }
}

/** The columns every new `incomplete` row has (S24-17, S6-09); the caller adds the kind-specific ones. */
export function incompleteTransactionRow(
  config: AppConfig,
  identity: TransferIdentity,
  row: {
    id: string;
    kind: TransferNoun;
    account: string;
    amount: string | null;
    onChange: string | null;
    lang: string;
    expiresAt: Date;
    walletName?: string | null;
  },
) {
  return {
    id: row.id,
    kind: row.kind,
    status: 'incomplete',
    sub: identity.sub,
    sub_account: identity.account,
    sub_memo: identity.memo ?? null,
    client_domain: identity.clientDomain ?? null,
    asset_code: config.stellar.assetCode,
    asset_issuer: config.stellar.issuerAccount,
    stellar_account: row.account,
    amount_expected: row.amount,
    amount_in: null,
    amount_out: null,
    amount_fee: null,
    withdraw_anchor_account: null,
    stellar_transaction_id: null,
    external_transaction_id: null,
    bank_reference: null,
    message: null,
    kyc_verified: null,
    refunds: null,
    claimable_balance_id: null,
    on_change_callback: row.onChange,
    lang: row.lang,
    status_eta: null,
    user_action_required_by: row.expiresAt,
    completed_at: null,
    wallet_name: row.walletName?.slice(0, 200) ?? null,
  } satisfies Partial<NewTransaction>;
}

export interface StartDeps {
  config: AppConfig;
  db: Db;
  temporal: Client;
  logger: Logger;
}

/**
 * Starts `<kind>-<id>` with the transaction's search attributes; with `completed`, signals
 * `interactiveCompleted` in the same call. A duplicate start is fine (a retried call found it running); any
 * other failure marks the row `error` and throws TransferStartError.
 */
export async function startTransferWorkflow<W extends Workflow, T = never>(
  deps: StartDeps,
  noun: TransferNoun,
  workflowType: string,
  start: {
    id: string;
    account: string;
    workflowId: string;
    args: Parameters<W>;
    memo?: Record<string, unknown>;
    /** The run's search attributes (workflows/search-attributes.ts keys; the front builds them). */
    searchAttributes: SearchAttributePair[];
    /** Sent with the start (signal-with-start): what the hosted pages would have sent, when the front has it. */
    signal?: { definition: SignalDefinition<[T]>; arg: T };
  },
): Promise<void> {
  const { config, db, temporal, logger } = deps;
  const options = {
    workflowId: start.workflowId,
    taskQueue: config.temporal.taskQueue,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    args: [...start.args],
    ...(start.memo ? { memo: start.memo } : {}),
    typedSearchAttributes: start.searchAttributes,
  };
  try {
    if (start.signal) {
      await temporal.workflow.signalWithStart(workflowType, {
        ...options,
        signal: start.signal.definition,
        signalArgs: [start.signal.arg],
      });
    } else {
      await temporal.workflow.start(workflowType, options);
    }
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    logger.error(
      { transactionId: start.id, err: { message: (err as Error).message } },
      `${noun} workflow did not start`,
    );
    await updateTransaction(db, start.id, { status: 'error', message: `The ${noun} could not be started.` });
    throw new TransferStartError(noun);
  }
}

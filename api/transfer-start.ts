import type { Workflow } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import { startTransferWorkflow, type TransferNoun, TransferStartError } from '../core/transfers/start.js';
import {
  AnchorTransactionId,
  AssetCode,
  StellarAccount,
  TransactionKind,
  TransactionStatus,
} from '../workflows/search-attributes.js';
import type { ApiDeps } from './deps.js';
import { HttpError } from './middleware/errors.js';

/**
 * The HTTP side of starting a transfer, shared by SEP-24 and SEP-6: the run's search attributes (the keys live in
 * workflows/, above core/) and the 503 a wallet gets when the workflow could not be started. The start itself is
 * core/transfers/start.ts.
 */

export function transferSearchAttributes(config: AppConfig, noun: TransferNoun, id: string, account: string) {
  return [
    { key: AnchorTransactionId, value: id },
    { key: StellarAccount, value: account },
    { key: TransactionKind, value: noun },
    { key: TransactionStatus, value: 'incomplete' },
    { key: AssetCode, value: config.stellar.assetCode },
  ];
}

/** startTransferWorkflow() with the front's search attributes; a start that failed answers 503 (retry). */
export async function startTransfer<W extends Workflow, T = never>(
  deps: ApiDeps,
  noun: TransferNoun,
  workflowType: string,
  start: Omit<Parameters<typeof startTransferWorkflow<W, T>>[3], 'searchAttributes'>,
): Promise<void> {
  try {
    await startTransferWorkflow<W, T>(deps, noun, workflowType, {
      ...start,
      searchAttributes: transferSearchAttributes(deps.config, noun, start.id, start.account),
    });
  } catch (err) {
    if (err instanceof TransferStartError) throw new HttpError(503, err.message, 'unavailable');
    throw err;
  }
}

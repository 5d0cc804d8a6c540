import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';

/**
 * A transaction's status history, read from its workflow's event history: every status change is a
 * `mirrorTransactionStatus` activity the workflow scheduled (workflows/transaction-common.ts), so the history is
 * Temporal's own record and needs no second copy in Postgres. Undefined when Temporal no longer has the run
 * (deleted after the namespace's retention) or never had it.
 */
export interface StatusChange {
  at: Date;
  status: string;
  /** A message the change carried, when it was plain text. */
  message?: string;
}

export async function statusHistory(
  temporal: Client,
  workflowId: string,
): Promise<StatusChange[] | undefined> {
  let events: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events'];
  try {
    events = (await temporal.workflow.getHandle(workflowId).fetchHistory()).events;
  } catch {
    return undefined;
  }
  const changes: StatusChange[] = [];
  for (const e of events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'mirrorTransactionStatus') continue;
    const payload = scheduled.input?.payloads?.[0];
    if (!payload) continue;
    const input = defaultPayloadConverter.fromPayload<{ status?: unknown; patch?: { message?: unknown } }>(
      payload as Payload,
    );
    if (typeof input.status !== 'string') continue;
    const previous = changes.at(-1);
    const message = typeof input.patch?.message === 'string' ? input.patch.message : undefined;
    // The same status again only recorded a patch: keep one row unless it carried a message.
    if (previous?.status === input.status && !message) continue;
    const seconds = Number(e.eventTime?.seconds ?? 0);
    const at = new Date(seconds * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6));
    changes.push({ at, status: input.status, ...(message ? { message } : {}) });
  }
  return changes;
}

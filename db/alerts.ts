import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AlertsTable, Database } from './schema.js';

/** Operator alerts (payout failures, top-ups awaiting signatures, ...): one open row per (kind, transaction). */
type Conn = Kysely<Database> | Transaction<Database>;
export type AlertRow = Selectable<AlertsTable>;

/** Records an alert once per (kind, transaction): a repeat changes nothing. */
export async function raiseAlert(
  db: Conn,
  input: { kind: string; transactionId: string; message: string },
): Promise<void> {
  await db
    .insertInto('alerts')
    .values({
      kind: input.kind,
      transaction_id: input.transactionId,
      message: input.message,
      acknowledged_at: null,
    })
    .onConflict((oc) =>
      oc.columns(['kind', 'transaction_id']).where('transaction_id', 'is not', null).doNothing(),
    )
    .execute();
}

export async function listAlerts(
  db: Conn,
  q: { state?: 'open' | 'acknowledged' | 'all' | undefined; kind?: string | undefined; limit: number },
): Promise<AlertRow[]> {
  let query = db.selectFrom('alerts').selectAll();
  if (q.state === 'open') query = query.where('acknowledged_at', 'is', null);
  if (q.state === 'acknowledged') query = query.where('acknowledged_at', 'is not', null);
  if (q.kind) query = query.where('kind', '=', q.kind);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

/** Acknowledges an open alert: 'acknowledged', or why not ('not_found', 'already_acknowledged'). */
export async function acknowledgeAlert(
  db: Conn,
  id: string,
): Promise<'acknowledged' | 'not_found' | 'already_acknowledged'> {
  const res = await db
    .updateTable('alerts')
    .set({ acknowledged_at: new Date() })
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) > 0) return 'acknowledged';
  const exists = await db.selectFrom('alerts').select('id').where('id', '=', id).executeTakeFirst();
  return exists ? 'already_acknowledged' : 'not_found';
}

/** Closes the open alert of this kind for a transaction (or top-up), if any. */
export async function acknowledgeAlertsOf(db: Conn, kind: string, transactionId: string): Promise<void> {
  await db
    .updateTable('alerts')
    .set({ acknowledged_at: new Date() })
    .where('kind', '=', kind)
    .where('transaction_id', '=', transactionId)
    .where('acknowledged_at', 'is', null)
    .execute();
}

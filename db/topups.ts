import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, TopUpStatus, TopUpsTable } from './schema.js';

type Conn = Kysely<Database> | Transaction<Database>;
export type TopUpRow = Selectable<TopUpsTable>;

export interface NewTopUp {
  id: string;
  workflowId: string;
  status: Extract<TopUpStatus, 'awaiting_signature' | 'submitting'>;
  assetCode: string;
  amount: string;
  balanceBefore: string;
  unsignedXdr: string;
  txHash: string;
  signedXdr?: string;
}

/** Stores the top-up before anything is submitted; a retried activity finds the row already there. */
export async function insertTopUp(db: Conn, t: NewTopUp): Promise<TopUpRow> {
  await db
    .insertInto('topups')
    .values({
      id: t.id,
      workflow_id: t.workflowId,
      status: t.status,
      asset_code: t.assetCode,
      amount: t.amount,
      balance_before: t.balanceBefore,
      unsigned_xdr: t.unsignedXdr,
      tx_hash: t.txHash,
      signed_xdr: t.signedXdr ?? null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return db.selectFrom('topups').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
}

export function getTopUp(db: Conn, id: string): Promise<TopUpRow | undefined> {
  return db.selectFrom('topups').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listTopUps(db: Conn, status?: TopUpStatus, limit = 100): Promise<TopUpRow[]> {
  let q = db.selectFrom('topups').selectAll();
  if (status) q = q.where('status', '=', status);
  return q.orderBy('created_at', 'desc').limit(limit).execute();
}

export async function updateTopUp(
  db: Conn,
  id: string,
  patch: Partial<Pick<TopUpRow, 'status' | 'signed_xdr' | 'ledger' | 'last_rejection' | 'completed_at'>>,
): Promise<void> {
  await db
    .updateTable('topups')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

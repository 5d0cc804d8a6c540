import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { tierFields } from '../stellar/sep9.js';
import type { Db } from './index.js';
import type {
  CustomerFieldsTable,
  CustomerFilesTable,
  CustomerRow,
  Database,
  KycChecksTable,
  KycFieldStatus,
  KycStatus,
} from './schema.js';

/**
 * Customers (SEP-12) and their per-field KYC data. Every function takes `(db | trx)` first. Values here are
 * personal data: callers must never log them.
 */
type Executor = Db | import('kysely').Transaction<Database>;

export type CustomerFieldRow = Selectable<CustomerFieldsTable>;
export type KycCheckRow = Selectable<KycChecksTable>;

/** (account, memo) with `memo` '' when absent: the key of a customer (S12-03). */
export interface CustomerKey {
  account: string;
  memo: string | null | undefined;
}

const memoOf = (key: CustomerKey) => key.memo ?? '';

/**
 * The customer a SEP-10 identity (or a transaction's recorded one) is, when no request memo picks another:
 * keyed by the JWT `sub`, because SEP-12, SEP-24 and SEP-6 say "the anchor should use this `sub` attribute in
 * their data model to identify unique users". `G...:7` is (G..., '7'); an `M...` client is (M..., its
 * muxed id), a customer of its own and not the `G...:7` one, just as its transactions, quotes and bank virtual
 * account are keyed by its `sub`. (SEP-10 calls account + id memo and a muxed account "conceptually" equivalent,
 * but both forms are signed by the same G account's signers, so merging them would protect no one, and keeping
 * them apart keeps one rule everywhere.)
 */
export function customerKeyOf(who: { sub: string; account: string; memo?: string | null | undefined }): {
  account: string;
  memo: string;
} {
  return { account: who.sub.startsWith('M') ? who.sub : who.account, memo: who.memo ?? '' };
}

/** The customer a transaction belongs to: the one its SEP-10 `sub` is (customerKeyOf). */
export function customerOfTransaction(row: {
  sub: string;
  sub_account: string;
  sub_memo: string | null;
}): CustomerKey {
  return customerKeyOf({ sub: row.sub, account: row.sub_account, memo: row.sub_memo });
}

export async function findCustomer(db: Executor, key: CustomerKey): Promise<CustomerRow | undefined> {
  return db
    .selectFrom('customers')
    .selectAll()
    .where('account', '=', key.account)
    .where('memo', '=', memoOf(key))
    .executeTakeFirst();
}

export async function findCustomerById(db: Executor, id: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Creates the customer once per key (S12-13: never a duplicate); returns the row either way. */
export async function upsertCustomer(db: Executor, key: CustomerKey, lang = 'en'): Promise<CustomerRow> {
  return db
    .insertInto('customers')
    .values({ id: randomUUID(), account: key.account, memo: memoOf(key), lang })
    .onConflict((oc) => oc.columns(['account', 'memo']).doUpdateSet({ updated_at: new Date(), lang }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Claims the announcement of `status` to the customer's callback: true for exactly one of any number of
 * concurrent callers (the row's `announced_status` moves to it), false when it was announced already.
 */
export async function claimAnnouncement(db: Executor, id: string, status: KycStatus): Promise<boolean> {
  const row = await db
    .updateTable('customers')
    .set({ announced_status: status })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('announced_status', 'is', null), eb('announced_status', '!=', status)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function updateCustomer(
  db: Executor,
  id: string,
  patch: Partial<
    Pick<CustomerRow, 'status' | 'accepted_tier' | 'requested_tier' | 'message' | 'callback_url' | 'lang'>
  >,
): Promise<CustomerRow> {
  return db
    .updateTable('customers')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listFields(db: Executor, customerId: string): Promise<CustomerFieldRow[]> {
  return db.selectFrom('customer_fields').selectAll().where('customer_id', '=', customerId).execute();
}

export interface FieldWrite {
  name: string;
  value?: string | null;
  blobKey?: string | null;
  contentType?: string | null;
  sizeBytes?: number | null;
  status: KycFieldStatus;
}

/** Stores one field (replacing the previous value and clearing its error). Returns the replaced blob key. */
export async function upsertField(
  db: Executor,
  customerId: string,
  field: FieldWrite,
): Promise<{ replacedBlobKey: string | null }> {
  const previous = await db
    .selectFrom('customer_fields')
    .select('blob_key')
    .where('customer_id', '=', customerId)
    .where('name', '=', field.name)
    .executeTakeFirst();
  const row = {
    customer_id: customerId,
    name: field.name,
    value: field.value ?? null,
    blob_key: field.blobKey ?? null,
    content_type: field.contentType ?? null,
    size_bytes: field.sizeBytes ?? null,
    status: field.status,
    error: null,
  };
  await db
    .insertInto('customer_fields')
    .values(row)
    .onConflict((oc) => oc.columns(['customer_id', 'name']).doUpdateSet({ ...row, updated_at: new Date() }))
    .execute();
  const replaced = previous?.blob_key ?? null;
  return { replacedBlobKey: replaced && replaced !== field.blobKey ? replaced : null };
}

/**
 * Marks PROCESSING fields ACCEPTED: the provider approved what it was sent, i.e. the values stored no later
 * than `sentAt`. A value changed while the check ran stays PROCESSING for the next check.
 */
export async function acceptProcessingFields(db: Executor, customerId: string, sentAt: Date): Promise<void> {
  await db
    .updateTable('customer_fields')
    .set({ status: 'ACCEPTED', error: null })
    .where('customer_id', '=', customerId)
    .where('status', '=', 'PROCESSING')
    .where('updated_at', '<=', sentAt)
    .execute();
}

// --- tier status ---------------------------------------------------------------------------------------------

export interface TierStatus {
  status: KycStatus;
  customerId: string | null;
  /** Required fields of the tier still to provide (absent, rejected, or awaiting a verification code). */
  missingFields: string[];
}

/**
 * The KYC status of a customer for one tier, from its stored row and fields. REJECTED is final and wins;
 * a tier at or below the accepted one is ACCEPTED without looking at fields (never asked again).
 */
export function computeTierStatus(
  customer: Pick<CustomerRow, 'id' | 'status' | 'accepted_tier'> | undefined,
  fields: readonly Pick<CustomerFieldRow, 'name' | 'status'>[],
  tier: number,
): TierStatus {
  const customerId = customer?.id ?? null;
  if (customer?.status === 'REJECTED') return { status: 'REJECTED', customerId, missingFields: [] };
  if (customer && customer.accepted_tier >= tier)
    return { status: 'ACCEPTED', customerId, missingFields: [] };
  const byName = new Map(fields.map((f) => [f.name, f.status]));
  const missingFields = tierFields(tier).required.filter((name) => {
    const s = byName.get(name);
    return s === undefined || s === 'REJECTED' || s === 'VERIFICATION_REQUIRED';
  });
  const pendingVerification = fields.some((f) => f.status === 'VERIFICATION_REQUIRED');
  const status: KycStatus = missingFields.length > 0 || pendingVerification ? 'NEEDS_INFO' : 'PROCESSING';
  return { status, customerId, missingFields };
}

/** "Is this customer accepted for this tier?" for the SEP-24 flow and the workflows (issue 6). */
export async function customerStatusForTier(
  db: Executor,
  key: CustomerKey,
  tier: number,
): Promise<TierStatus> {
  const customer = await findCustomer(db, key);
  const fields = customer ? await listFields(db, customer.id) : [];
  return computeTierStatus(customer, fields, tier);
}

// --- provider checks -----------------------------------------------------------------------------------------

export async function createCheck(db: Executor, customerId: string, tier: number): Promise<KycCheckRow> {
  return db
    .insertInto('kyc_checks')
    .values({ id: randomUUID(), customer_id: customerId, tier, status: 'pending_submit' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Checks still waiting for an answer (submitted or not yet delivered to the provider). */
export async function openChecks(db: Executor, customerId: string): Promise<KycCheckRow[]> {
  return db
    .selectFrom('kyc_checks')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['pending_submit', 'submitted'])
    .orderBy('created_at')
    .execute();
}

export async function findCheck(db: Executor, id: string): Promise<KycCheckRow | undefined> {
  return db.selectFrom('kyc_checks').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Decides an open check (submitted or not yet delivered): the one conditional update that lets exactly one
 * verdict win when several arrive at once (issue 15 row 1). Undefined when the check was already decided.
 */
export async function decideCheck(
  db: Executor,
  id: string,
  status: 'approved' | 'rejected' | 'needs_info',
): Promise<KycCheckRow | undefined> {
  return db
    .updateTable('kyc_checks')
    .set({ status, completed_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', ['pending_submit', 'submitted'])
    .returningAll()
    .executeTakeFirst();
}

/** The customer row, locked until the transaction ends: changes to one customer's status happen in turn. */
export async function lockCustomer(db: Executor, id: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateCheck(
  db: Executor,
  id: string,
  patch: Partial<Pick<KycCheckRow, 'status' | 'provider_check_id' | 'completed_at' | 'last_sent_at'>>,
): Promise<void> {
  await db.updateTable('kyc_checks').set(patch).where('id', '=', id).execute();
}

// --- webhook idempotency -------------------------------------------------------------------------------------

/** A code the user entered proved this field (S12-16): VERIFICATION_REQUIRED → PROCESSING. */
export async function markFieldVerified(db: Executor, customerId: string, name: string): Promise<void> {
  await db
    .updateTable('customer_fields')
    .set({ status: 'PROCESSING', error: null })
    .where('customer_id', '=', customerId)
    .where('name', '=', name)
    .where('status', '=', 'VERIFICATION_REQUIRED')
    .execute();
}

/** The provider asked for these fields again: REJECTED with its reason (S12-08). */
export async function rejectFields(
  db: Executor,
  customerId: string,
  names: string[],
  reason: string,
): Promise<void> {
  if (names.length === 0) return;
  await db
    .updateTable('customer_fields')
    .set({ status: 'REJECTED', error: reason })
    .where('customer_id', '=', customerId)
    .where('name', 'in', names)
    .execute();
}

/**
 * Claims a provider event id: true the first time, false on every repeat. Inside a transaction a concurrent
 * copy waits on the primary key until the first one commits (then false) or rolls back (then true).
 */
export async function recordWebhookEvent(db: Executor, eventId: string): Promise<boolean> {
  const inserted = await db
    .insertInto('kyc_webhook_events')
    .values({ event_id: eventId })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

// --- workflows waiting on a customer -------------------------------------------------------------------------

export async function registerWaiter(
  db: Executor,
  key: CustomerKey,
  workflowId: string,
  tier: number,
): Promise<void> {
  await db
    .insertInto('kyc_waiters')
    .values({ account: key.account, memo: memoOf(key), workflow_id: workflowId, tier })
    .onConflict((oc) => oc.columns(['account', 'memo', 'workflow_id']).doUpdateSet({ tier }))
    .execute();
}

export async function listWaiters(
  db: Executor,
  key: CustomerKey,
): Promise<{ workflow_id: string; tier: number }[]> {
  return db
    .selectFrom('kyc_waiters')
    .select(['workflow_id', 'tier'])
    .where('account', '=', key.account)
    .where('memo', '=', memoOf(key))
    .execute();
}

export async function removeWaiter(db: Executor, key: CustomerKey, workflowId: string): Promise<void> {
  await db
    .deleteFrom('kyc_waiters')
    .where('account', '=', key.account)
    .where('memo', '=', memoOf(key))
    .where('workflow_id', '=', workflowId)
    .execute();
}

// --- erasure -------------------------------------------------------------------------------------------------

/**
 * Deletes the customer, its fields and checks (cascade) and leaves one audit row without personal data.
 * Returns the blob keys the caller must delete, or undefined when there was no such customer.
 */
export async function eraseCustomer(
  db: Executor,
  customerId: string,
  subjectHash: string,
): Promise<{ blobKeys: string[]; fields: number } | undefined> {
  const fields = await db
    .selectFrom('customer_fields')
    .select(['name', 'blob_key'])
    .where('customer_id', '=', customerId)
    .execute();
  const deleted = await db.deleteFrom('customers').where('id', '=', customerId).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return undefined;
  const blobKeys = fields.map((f) => f.blob_key).filter((k): k is string => k !== null);
  await db
    .insertInto('kyc_erasures')
    .values({
      id: randomUUID(),
      customer_id: customerId,
      subject_hash: subjectHash,
      fields_erased: fields.length,
      files_erased: blobKeys.length,
    })
    .execute();
  return { blobKeys, fields: fields.length };
}

// --- customer files (S12-26, S12-27) -------------------------------------------------------------------------

export type CustomerFileRow = Selectable<CustomerFilesTable>;

export async function insertCustomerFile(
  db: Executor,
  file: {
    id: string;
    key: CustomerKey;
    blobKey: string;
    contentType: string;
    sizeBytes: number;
    expiresAt: Date;
    customerId: string | null;
  },
): Promise<CustomerFileRow> {
  return db
    .insertInto('customer_files')
    .values({
      id: file.id,
      account: file.key.account,
      memo: memoOf(file.key),
      customer_id: file.customerId,
      blob_key: file.blobKey,
      content_type: file.contentType,
      size_bytes: file.sizeBytes,
      expires_at: file.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A file of this owner only: another account's or memo's file id is as good as unknown. */
export async function findOwnFile(
  db: Executor,
  key: CustomerKey,
  fileId: string,
): Promise<CustomerFileRow | undefined> {
  return db
    .selectFrom('customer_files')
    .selectAll()
    .where('id', '=', fileId)
    .where('account', '=', key.account)
    .where('memo', '=', memoOf(key))
    .executeTakeFirst();
}

export async function listOwnFiles(
  db: Executor,
  account: string,
  filter: { fileId?: string; customerId?: string; memo?: string | undefined },
): Promise<CustomerFileRow[]> {
  let q = db.selectFrom('customer_files').selectAll().where('account', '=', account);
  if (filter.memo !== undefined) q = q.where('memo', '=', filter.memo);
  if (filter.fileId) q = q.where('id', '=', filter.fileId);
  if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
  return q.orderBy('created_at').execute();
}

export async function attachFile(db: Executor, fileId: string, customerId: string): Promise<void> {
  await db.updateTable('customer_files').set({ customer_id: customerId }).where('id', '=', fileId).execute();
}

/** Deletes the owner's file rows; returns their blob keys for the caller to delete. */
export async function deleteOwnFiles(db: Executor, key: CustomerKey): Promise<string[]> {
  const rows = await db
    .deleteFrom('customer_files')
    .where('account', '=', key.account)
    .where('memo', '=', memoOf(key))
    .returning('blob_key')
    .execute();
  return rows.map((r) => r.blob_key);
}

/** Unattached uploads past `expires_at` (S12-26): removed with their blobs by the caller; a bounded batch. */
export async function deleteExpiredFiles(db: Executor, now: Date, limit = 100): Promise<string[]> {
  const expired = await db
    .selectFrom('customer_files')
    .select('id')
    .where('customer_id', 'is', null)
    .where('expires_at', '<', now)
    .limit(limit)
    .execute();
  if (expired.length === 0) return [];
  const rows = await db
    .deleteFrom('customer_files')
    .where(
      'id',
      'in',
      expired.map((r) => r.id),
    )
    .returning('blob_key')
    .execute();
  return rows.map((r) => r.blob_key);
}

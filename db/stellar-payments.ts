import type { Insertable, Selectable } from 'kysely';
import { type Kysely, sql } from 'kysely';
import type { Database, StellarEnvelopesTable, StellarPaymentsTable } from './schema.js';

/** Repositories for signed envelopes and the payments they carry (activities/stellar.ts). Take db or trx. */
type Q = Kysely<Database>;

export type EnvelopeRow = Selectable<StellarEnvelopesTable>;
export type PaymentRow = Selectable<StellarPaymentsTable>;
export type NewPayment = Omit<Insertable<StellarPaymentsTable>, 'envelope_ref' | 'created_at'>;

export async function findEnvelope(db: Q, ref: string): Promise<EnvelopeRow | undefined> {
  return db.selectFrom('stellar_envelopes').selectAll().where('ref', '=', ref).executeTakeFirst();
}

/**
 * Stores a freshly signed envelope and its payments BEFORE it is submitted. Returns false when the ref was
 * stored meanwhile (the caller then works with the stored one).
 */
export async function insertEnvelope(
  db: Q,
  env: { ref: string; source: string; hash: string; envelopeXdr: string; sequence: bigint; maxTime: Date },
  payments: NewPayment[],
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('stellar_envelopes')
      .values({
        ref: env.ref,
        source: env.source,
        hash: env.hash,
        envelope_xdr: env.envelopeXdr,
        sequence: env.sequence.toString(),
        max_time: env.maxTime,
      })
      .onConflict((oc) => oc.column('ref').doNothing())
      .returning('ref')
      .executeTakeFirst();
    if (!inserted) return false;
    if (payments.length > 0) {
      await trx
        .insertInto('stellar_payments')
        .values(payments.map((p) => ({ ...p, envelope_ref: env.ref })))
        .execute();
    }
    return true;
  });
}

/** Replaces an envelope proven unable to land by a new one (same ref, same payments). */
export async function replaceEnvelope(
  db: Q,
  ref: string,
  oldHash: string,
  env: { source: string; hash: string; envelopeXdr: string; sequence: bigint; maxTime: Date },
): Promise<EnvelopeRow> {
  const row = await db
    .updateTable('stellar_envelopes')
    .set({
      source: env.source,
      hash: env.hash,
      envelope_xdr: env.envelopeXdr,
      sequence: env.sequence.toString(),
      max_time: env.maxTime,
      status: 'prepared',
      ledger: null,
      result_codes: null,
      submitted_at: null,
      completed_at: null,
      attempt: sql<number>`attempt + 1`,
      previous_hashes: sql<string[]>`array_append(previous_hashes, ${oldHash})`,
      updated_at: sql<Date>`now()`,
    })
    .where('ref', '=', ref)
    .where('hash', '=', oldHash)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new Error(`envelope ${ref} changed while being replaced`);
  return row;
}

export async function markSubmitted(db: Q, ref: string): Promise<void> {
  await db
    .updateTable('stellar_envelopes')
    .set({ submitted_at: sql<Date>`coalesce(submitted_at, now())`, updated_at: sql<Date>`now()` })
    .where('ref', '=', ref)
    .execute();
}

export async function markSucceeded(db: Q, ref: string, hash: string, ledger: number): Promise<void> {
  await db
    .updateTable('stellar_envelopes')
    .set({ status: 'succeeded', ledger, completed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('ref', '=', ref)
    .where('hash', '=', hash)
    .execute();
}

/**
 * Records a final failure of an envelope (nothing moved). With `release` (payout batches) it also releases the
 * envelope's payments in the same database transaction, so each can go out in another envelope and none is ever
 * paid by driving this one again. Returns the released refs.
 */
export async function markFailed(
  db: Q,
  ref: string,
  hash: string,
  codes: { transaction: string; operations?: string[] },
  ledger: number | null,
  options: { release?: boolean } = {},
): Promise<string[]> {
  if (!options.release) {
    await markFailedRow(db, ref, hash, codes, ledger);
    return [];
  }
  return db.transaction().execute(async (trx) => {
    await markFailedRow(trx, ref, hash, codes, ledger);
    const released = await trx
      .deleteFrom('stellar_payments')
      .where('envelope_ref', '=', ref)
      .returning('ref')
      .execute();
    return released.map((r) => r.ref);
  });
}

async function markFailedRow(
  db: Q,
  ref: string,
  hash: string,
  codes: { transaction: string; operations?: string[] },
  ledger: number | null,
): Promise<void> {
  await db
    .updateTable('stellar_envelopes')
    .set({
      status: 'failed',
      result_codes: JSON.stringify(codes),
      ledger,
      completed_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('ref', '=', ref)
    .where('hash', '=', hash)
    .execute();
}

export async function paymentsOf(db: Q, envelopeRef: string): Promise<PaymentRow[]> {
  return db
    .selectFrom('stellar_payments')
    .selectAll()
    .where('envelope_ref', '=', envelopeRef)
    .orderBy('op_index')
    .execute();
}

export async function findPayment(db: Q, ref: string): Promise<PaymentRow | undefined> {
  return db.selectFrom('stellar_payments').selectAll().where('ref', '=', ref).executeTakeFirst();
}

/** The payments among `refs` already bound to an envelope. */
export async function findPayments(db: Q, refs: readonly string[]): Promise<PaymentRow[]> {
  if (refs.length === 0) return [];
  return db.selectFrom('stellar_payments').selectAll().where('ref', 'in', refs).execute();
}

export async function setClaimableBalanceIds(
  db: Q,
  ids: { ref: string; balanceId: string }[],
): Promise<void> {
  for (const { ref, balanceId } of ids) {
    await db
      .updateTable('stellar_payments')
      .set({ claimable_balance_id: balanceId })
      .where('ref', '=', ref)
      .execute();
  }
}

// --- channel accounts -----------------------------------------------------------------------------------------

export async function ensureChannels(db: Q, accounts: readonly string[]): Promise<void> {
  if (accounts.length === 0) return;
  await db
    .insertInto('stellar_channels')
    .values(accounts.map((account) => ({ account })))
    .onConflict((oc) => oc.column('account').doNothing())
    .execute();
}

/** Leases a free channel (or the one this holder already has) until `ttlSeconds` from now; null if none free. */
export async function leaseChannel(
  db: Q,
  accounts: readonly string[],
  holder: string,
  ttlSeconds: number,
): Promise<string | null> {
  if (accounts.length === 0) return null;
  const row = await sql<{ account: string }>`
    update stellar_channels set leased_by = ${holder}, leased_until = now() + make_interval(secs => ${ttlSeconds})
    where account = (
      select account from stellar_channels
      where account in (${sql.join(accounts)})
        and (leased_by = ${holder} or leased_until is null or leased_until < now())
      order by (leased_by = ${holder}) desc nulls last, leased_until nulls first
      limit 1 for update skip locked
    )
    returning account`.execute(db);
  return row.rows[0]?.account ?? null;
}

export async function releaseChannel(db: Q, account: string, holder: string): Promise<void> {
  await db
    .updateTable('stellar_channels')
    .set({ leased_by: null, leased_until: null })
    .where('account', '=', account)
    .where('leased_by', '=', holder)
    .execute();
}

/**
 * Runs `fn` on one connection holding the advisory lock of envelope `ref`, so two attempts of the same ref never
 * interleave (across workers too); the lock is released however `fn` ends.
 */
export async function withEnvelopeLock<T>(db: Q, ref: string, fn: (conn: Q) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtextextended(${`stellar:${ref}`}, 0))`.execute(conn);
    try {
      return await fn(conn);
    } finally {
      await sql`select pg_advisory_unlock(hashtextextended(${`stellar:${ref}`}, 0))`.execute(conn);
    }
  });
}

import { randomUUID } from 'node:crypto';
import {
  Account,
  Claimant,
  type FeeBumpTransaction,
  type Horizon,
  Keypair,
  Operation,
  type Transaction,
  TransactionBuilder,
  xdr,
} from '@stellar/stellar-sdk';
import { ApplicationFailure } from '@temporalio/activity';
import type { AppConfig } from '../config/index.js';
import { createCoalescer } from '../core/coalescer.js';
import { horizonFor } from '../core/horizon.js';
import type { Db } from '../db/index.js';
import {
  type EnvelopeRow,
  ensureChannels,
  findEnvelope,
  findPayment,
  findPayments,
  insertEnvelope,
  leaseChannel,
  markFailed,
  markSubmitted,
  markSucceeded,
  type NewPayment,
  type PaymentRow,
  paymentsOf,
  releaseChannel,
  replaceEnvelope,
  setClaimableBalanceIds,
  withEnvelopeLock,
} from '../db/stellar-payments.js';
import { type AssetRef, isNative, sameAsset, toSdkAsset } from '../stellar/assets.js';
import { type MemoSpec, normalizeMemo, toSdkMemo } from '../stellar/memos.js';
import { formatFixed7, parseAmount } from '../stellar/money.js';
import { parseDestination } from '../stellar/muxed.js';
import { whileHeartbeating } from './heartbeat.js';

/**
 * Stellar side effects. Every submission is idempotent by a caller-chosen `ref`:
 *
 *   1. build and sign the envelope, store it and its hash in Postgres (stellar_envelopes) BEFORE submitting;
 *   2. on every later attempt, look the stored hash up on Horizon first: if it is in a ledger, that is the answer;
 *   3. if not, resubmit the SAME envelope while it can still land (time bounds open, sequence not consumed);
 *   4. rebuild (new sequence, new time bounds, same ref) only once the stored envelope provably cannot land:
 *      the ledger's close time is past its max time or its source's sequence has moved past it, checked BEFORE a
 *      last hash lookup.
 * So a crash or lost answer at any point ends with exactly one payment on the ledger.
 *
 * Failures the workflow must act on are `ApplicationFailure.nonRetryable` with a type from StellarFailure;
 * timeouts, 5xx and network errors are retryable (the retry follows the steps above).
 */

/** Non-retryable failure types (ApplicationFailure.type): callers switch on these, never on messages. */
export const StellarFailure = {
  /** op_no_trust: the destination has no trust line to the asset (deposit → pending_trust). */
  NoTrust: 'StellarNoTrust',
  /** op_underfunded / op_src_not_authorized...: the paying account lacks the balance. */
  Underfunded: 'StellarUnderfunded',
  /** op_no_destination: the destination account does not exist (create it, or claimable balance). */
  NoDestination: 'StellarNoDestination',
  /** op_not_authorized: the issuer has not authorized the destination's trust line. */
  NotAuthorized: 'StellarNotAuthorized',
  /** op_line_full: the destination's trust line limit would be exceeded. */
  LineFull: 'StellarLineFull',
  /** op_already_exists: createAccount on an existing account. */
  AccountExists: 'StellarAccountExists',
  /** op_low_reserve: the new balance would be under the reserve. */
  LowReserve: 'StellarLowReserve',
  /** tx_insufficient_balance: the transaction source cannot pay the fee. */
  FeeUnderfunded: 'StellarFeeUnderfunded',
  /** tx_bad_auth: our signing keys do not satisfy the account's thresholds (configuration problem). */
  BadAuth: 'StellarBadAuth',
  /** The request itself is wrong (bad amount, memo, destination, asset, too many payments). */
  InvalidRequest: 'StellarInvalidRequest',
  /** A payment ref already belongs to another batch. */
  DuplicateRef: 'StellarDuplicateRef',
  /** Any other rejection the network gave a final answer for. */
  Rejected: 'StellarRejected',
} as const;
export type StellarFailureType = (typeof StellarFailure)[keyof typeof StellarFailure];

const OP_FAILURES: Record<string, StellarFailureType> = {
  op_no_trust: StellarFailure.NoTrust,
  op_src_no_trust: StellarFailure.Underfunded,
  op_underfunded: StellarFailure.Underfunded,
  op_src_not_authorized: StellarFailure.Underfunded,
  op_no_destination: StellarFailure.NoDestination,
  op_not_authorized: StellarFailure.NotAuthorized,
  op_line_full: StellarFailure.LineFull,
  op_already_exists: StellarFailure.AccountExists,
  op_low_reserve: StellarFailure.LowReserve,
};

function isPayoutBatch(ref: string): boolean {
  return ref.startsWith(PAYOUT_BATCH_PREFIX);
}

/** How long a fee bid read from Horizon's fee stats is reused: about one ledger on the network. */
const FEE_TTL_MS = 5_000;

/** Maximum operations per transaction on the network. */
export const MAX_OPS_PER_TX = 100;

export interface PaymentRequest {
  /** Idempotency key, unique per payment (e.g. `deposit-<id>`). */
  ref: string;
  /** G... (with `memo` when the receiver needs one) or M... (muxed). */
  destination: string;
  asset: AssetRef;
  /** Decimal string, at most 7 places. */
  amount: string;
  memo?: MemoSpec | null | undefined;
  /**
   * Transaction source (sequence number and fee): the distribution account or a channel account. Default: a
   * free channel when CHANNEL_SECRETS are set, else the distribution account. The distribution account always pays.
   */
  source?: string | undefined;
  /**
   * May share one transaction with the other payouts this worker is asked for within PAYOUT_BATCH_WINDOW_MS (up to
   * 100 operations). Deposit payouts set it. Only a payment without memo and source is batched: the memo and the
   * sequence number belong to the transaction.
   */
  batch?: boolean | undefined;
}

/** Envelope refs of the batches sendPayment({ batch: true }) makes; each payment keeps its own ref inside. */
export const PAYOUT_BATCH_PREFIX = 'payout-batch:';

export interface PaymentResult {
  hash: string;
  ledger: number;
}

export interface BatchResult extends PaymentResult {
  refs: string[];
}

/** Test seams: called at fixed points of a submission (tests make them throw to simulate crashes). */
export interface StellarActivityHooks {
  /** After the envelope is stored, before it is submitted. */
  beforeSubmit?(ref: string, attempt: number): void | Promise<void>;
  /** After Horizon answered success, before the answer is recorded. */
  afterSubmit?(ref: string, hash: string): void | Promise<void>;
}

export interface StellarActivityDeps {
  config: AppConfig;
  db: Db;
  horizon?: Horizon.Server | undefined;
  stellarHooks?: StellarActivityHooks | undefined;
}

/** A submission in flight whose outcome we do not know (timeout, 5xx, connection lost): retry. */
class UncertainSubmission extends Error {
  constructor(cause: unknown) {
    super(`Stellar submission outcome unknown: ${describe(cause)}`);
    this.name = 'StellarSubmitUncertain';
  }
}

function isNotFound(err: unknown): boolean {
  return httpStatusOf(err) === 404 || (err as Error)?.name === 'NotFoundError';
}

function describe(err: unknown): string {
  const e = err as { message?: string; response?: { status?: number } };
  const status = e?.response?.status;
  return `${e?.message ?? String(err)}${status ? ` (HTTP ${status})` : ''}`;
}

interface ResultCodes {
  transaction: string;
  operations?: string[];
}

/** Horizon's transaction_failed body, whichever way the SDK surfaced it; undefined if it is not one. */
function resultCodesOf(err: unknown): ResultCodes | undefined {
  const e = err as { response?: { data?: unknown; status?: number } & Record<string, unknown> };
  const body = (e?.response?.data ?? e?.response) as
    | { extras?: { result_codes?: ResultCodes }; status?: number }
    | undefined;
  return body?.extras?.result_codes;
}

function httpStatusOf(err: unknown): number | undefined {
  const e = err as { response?: { status?: number; data?: { status?: number } } };
  return e?.response?.status ?? e?.response?.data?.status;
}

/**
 * A read of Horizon (account, ledger, transaction by hash, time bounds) that failed in transit — no answer, a
 * reset, a timeout or a 5xx — asked again up to twice in the same attempt. Reads are idempotent; without this one
 * lost answer among the several reads of a payout attempt fails the whole attempt, and under a flaky Horizon a
 * deposit could use up its attempts while the network was fine (the fault run: 7 of 100 at 20 % faults).
 * Answers with a status below 500 (404, 400) are returned to the caller at once: they are not transient.
 */
async function readAgain<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      const status = httpStatusOf(err);
      const transient = !isNotFound(err) && (status === undefined || status >= 500);
      if (!transient || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

function failureFor(codes: ResultCodes, ref: string): ApplicationFailure {
  const opCode = codes.operations?.find((c) => c !== 'op_success');
  let type: StellarFailureType = StellarFailure.Rejected;
  if (opCode && OP_FAILURES[opCode]) type = OP_FAILURES[opCode];
  else if (codes.transaction === 'tx_insufficient_balance') type = StellarFailure.FeeUnderfunded;
  else if (codes.transaction === 'tx_bad_auth' || codes.transaction === 'tx_bad_auth_extra') {
    type = StellarFailure.BadAuth;
  }
  const detail = [codes.transaction, ...(codes.operations ?? [])].join(', ');
  return ApplicationFailure.nonRetryable(`payment ${ref} rejected by the network: ${detail}`, type, codes);
}

/** The result codes a failureFor() failure carries, if it is one. */
function codesOf(err: unknown): ResultCodes | undefined {
  if (!(err instanceof ApplicationFailure)) return undefined;
  const codes = err.details?.[0] as ResultCodes | undefined;
  return codes && typeof codes.transaction === 'string' ? codes : undefined;
}

/** The code of operation `index` in a failed batch, when the network gave one per operation. */
function opCodeAt(err: unknown, index: number): string | undefined {
  return codesOf(err)?.operations?.[index];
}

/** A failed batch told as the failure of the one payment at `index`: its own operation's code decides the type. */
function failureOfOp(err: unknown, index: number, ref: string): unknown {
  const codes = codesOf(err);
  const own = codes?.operations?.[index];
  if (!codes || !own) return err;
  return failureFor({ transaction: codes.transaction, operations: [own] }, ref);
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, StellarFailure.InvalidRequest);
}

/** Codes that mean "this envelope was refused before any ledger": the envelope may still be replaceable. */
const NOT_APPLIED = new Set(['tx_bad_seq', 'tx_too_late', 'tx_too_early', 'tx_insufficient_fee']);

/** A signed envelope as built: what is stored before it is submitted. */
interface Built {
  hash: string;
  envelopeXdr: string;
  sequence: bigint;
  maxTime: Date;
}

/**
 * One operation of an envelope to be, checked when planned and built when the envelope is: its source (the
 * distribution account when a channel is the transaction's source) is known only then, and building it once
 * matters in a 100-operation batch.
 */
type Planned = {
  kind: NewPayment['kind'];
  request: PaymentRequest;
  /** The operation with `opSource` (a decoded account, shared by the envelope's operations) as its source. */
  toOp(opSource: xdr.MuxedAccount | undefined): xdr.Operation;
};

/** A planned operation of `kind`; `make` builds it (without a source) when the envelope is built. */
function planned(kind: Planned['kind'], request: PaymentRequest, make: () => xdr.Operation): Planned {
  return {
    kind,
    request,
    toOp(opSource) {
      const op = make();
      if (opSource) op.sourceAccount(opSource);
      return op;
    },
  };
}

function paymentOp(p: PaymentRequest): Planned {
  const dest = parseDest(p.destination);
  if (p.memo && dest.muxedId) throw invalid(`payment ${p.ref}: a muxed destination carries no memo`);
  const amount = checkedAmount(p);
  return planned('payment', p, () =>
    Operation.payment({ destination: dest.address, asset: toSdkAsset(p.asset), amount }),
  );
}

function createAccountOp(request: PaymentRequest): Planned {
  // A muxed destination (M...) is paid to its base account: that is the account to create.
  const destination = parseDest(request.destination).account;
  const startingBalance = checkedAmount(request);
  return planned('create_account', request, () => Operation.createAccount({ destination, startingBalance }));
}

function claimableBalanceOp(request: PaymentRequest): Planned {
  const claimant = new Claimant(parseDest(request.destination).account, Claimant.predicateUnconditional());
  const amount = checkedAmount(request);
  return planned('claimable_balance', request, () =>
    Operation.createClaimableBalance({ asset: toSdkAsset(request.asset), amount, claimants: [claimant] }),
  );
}

function parseDest(destination: string) {
  try {
    return parseDestination(destination);
  } catch {
    throw invalid('destination must be a G... or M... Stellar address');
  }
}

function checkedAmount(p: PaymentRequest): string {
  let stroops: bigint;
  try {
    stroops = parseAmount(p.amount);
  } catch {
    throw invalid(`payment ${p.ref}: amount must be a decimal with at most 7 places`);
  }
  if (stroops <= 0n) throw invalid(`payment ${p.ref}: amount must be positive`);
  return formatFixed7(stroops);
}

function toNewPayment(planned: Planned, index: number): NewPayment {
  const p = planned.request;
  const memo = p.memo ? normalizeMemo(p.memo) : null;
  return {
    ref: p.ref,
    op_index: index,
    kind: planned.kind,
    destination: p.destination,
    asset_code: p.asset.code,
    asset_issuer: p.asset.issuer,
    amount: checkedAmount(p),
    memo: memo?.value ?? null,
    memo_type: memo?.type ?? null,
    claimable_balance_id: null,
  };
}

export function createStellarActivities(deps: StellarActivityDeps) {
  const { config, db } = deps;
  const horizon = deps.horizon ?? horizonFor(config);
  const hooks = deps.stellarHooks ?? {};
  const passphrase = config.stellar.networkPassphrase;
  const distribution = Keypair.fromSecret(config.stellar.distributionSecret);
  const distributionMuxed = xdr.MuxedAccount.keyTypeEd25519(distribution.rawPublicKey());
  const channelKeys = new Map(
    config.payments.channelSecrets.map((s) => {
      const kp = Keypair.fromSecret(s);
      return [kp.publicKey(), kp] as const;
    }),
  );
  const channels = [...channelKeys.keys()];
  let channelsReady: Promise<void> | undefined;

  function signerFor(account: string): Keypair {
    if (account === distribution.publicKey()) return distribution;
    const kp = channelKeys.get(account);
    if (!kp) throw new Error(`no signing key for source ${account}`);
    return kp;
  }

  /** The fee bid per operation, from Horizon's fee stats, asked at most once per FEE_TTL_MS (about a ledger). */
  let feeSeen: { fee: string; at: number } | undefined;
  async function baseFee(): Promise<string> {
    if (feeSeen && Date.now() - feeSeen.at < FEE_TTL_MS) return feeSeen.fee;
    let fee = 100;
    try {
      fee = await horizon.fetchBaseFee();
    } catch {
      // fee_stats unavailable: the network minimum still works on a quiet network (not remembered).
      return String(Math.min(100, config.payments.maxFeeStroops));
    }
    const bid = String(Math.min(Math.max(fee, 100), config.payments.maxFeeStroops));
    feeSeen = { fee: bid, at: Date.now() };
    return bid;
  }

  /** Picks the transaction source: a leased channel when channels exist, else the distribution account. */
  async function pickSource(q: Db, holder: string): Promise<string> {
    if (channels.length === 0) return distribution.publicKey();
    channelsReady ??= ensureChannels(q, channels).catch((err: unknown) => {
      channelsReady = undefined;
      throw err;
    });
    await channelsReady;
    const ttl = config.payments.txTimeoutSeconds + 30;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const leased = await leaseChannel(q, channels, holder, ttl);
      if (leased) return leased;
      if (Date.now() > deadline) return distribution.publicKey(); // all busy: the distribution account still works
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 200)));
    }
  }

  async function build(source: string, planned: Planned[], memo: MemoSpec | null): Promise<Built> {
    const account = await readAgain(() => horizon.loadAccount(source));
    const fee = await baseFee();
    // Time bounds from Horizon's clock (its Date header), not ours: a skewed local clock must not make every
    // envelope born expired.
    const timebounds = await readAgain(() => horizon.fetchTimebounds(config.payments.txTimeoutSeconds));
    const builder = new TransactionBuilder(new Account(source, account.sequenceNumber()), {
      fee,
      networkPassphrase: passphrase,
      memo: toSdkMemo(memo),
      timebounds,
    });
    // Operations carry the distribution account as their source when another account (a channel) is the tx source.
    const opSource = source === distribution.publicKey() ? undefined : distributionMuxed;
    for (const p of planned) builder.addOperation(p.toOp(opSource));
    const tx = builder.build();
    // The hash once for every signature (tx.sign() encodes the whole transaction again for each signer).
    const hash = tx.hash();
    const signers = new Set([source, ...planned.map(() => distribution.publicKey())]);
    for (const s of signers) tx.signatures.push(signerFor(s).signDecorated(hash));
    const built: Built = {
      hash: hash.toString('hex'),
      envelopeXdr: tx.toEnvelope().toXDR('base64'),
      sequence: BigInt(tx.sequence),
      maxTime: new Date(Number(tx.timeBounds!.maxTime) * 1000),
    };
    remember(built.hash, tx);
    return built;
  }

  // Envelopes built here lately, by hash: the submit that follows the store uses the object, not a parse of the
  // stored bytes (they are the same bytes). A miss (another worker, a restart, an old envelope) parses them.
  const builtTxs = new Map<string, Transaction>();
  function remember(hash: string, tx: Transaction) {
    if (builtTxs.size >= 256) builtTxs.delete(builtTxs.keys().next().value!);
    builtTxs.set(hash, tx);
  }
  function envelopeOf(row: EnvelopeRow): Transaction | FeeBumpTransaction {
    const known = builtTxs.get(row.hash);
    if (known) {
      builtTxs.delete(row.hash);
      return known;
    }
    return TransactionBuilder.fromXDR(row.envelope_xdr, passphrase);
  }

  /** The transaction with this hash as Horizon knows it, or null when it is in no ledger. */
  async function lookup(hash: string): Promise<Horizon.ServerApi.TransactionRecord | null> {
    try {
      return await readAgain(() => horizon.transactions().transaction(hash).call());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw new UncertainSubmission(err);
    }
  }

  /** True when the stored envelope can never be included: expired by ledger time, or its sequence is used. */
  async function cannotLand(row: EnvelopeRow): Promise<boolean> {
    try {
      const [latest, account] = await Promise.all([
        readAgain(() => horizon.ledgers().order('desc').limit(1).call()),
        readAgain(() => horizon.loadAccount(row.source)),
      ]);
      const closedAt = latest.records[0]?.closed_at;
      if (closedAt && Date.parse(closedAt) > row.max_time.getTime()) return true;
      return BigInt(account.sequenceNumber()) >= BigInt(row.sequence);
    } catch (err) {
      throw new UncertainSubmission(err);
    }
  }

  function claimableIds(row: EnvelopeRow, payments: { ref: string; op_index: number; kind: string }[]) {
    const claimable = payments.filter((p) => p.kind === 'claimable_balance');
    if (claimable.length === 0) return []; // the envelope is parsed only when it created balances
    const tx = TransactionBuilder.fromXDR(row.envelope_xdr, passphrase) as Transaction;
    return claimable.map((p) => ({ ref: p.ref, balanceId: tx.getClaimableBalanceId(p.op_index) }));
  }

  /** Records a landed envelope as succeeded, with the ids of the claimable balances it created. */
  async function recordSuccess(q: Db, row: EnvelopeRow, ledger: number): Promise<PaymentResult> {
    const ids = claimableIds(row, await paymentsOf(q, row.ref));
    if (ids.length > 0) await setClaimableBalanceIds(q, ids);
    await markSucceeded(q, row.ref, row.hash, ledger);
    return { hash: row.hash, ledger };
  }

  async function settleLanded(q: Db, row: EnvelopeRow, record: Horizon.ServerApi.TransactionRecord) {
    if (record.successful) return recordSuccess(q, row, record.ledger_attr);
    const codes = decodeResultCodes(record.result_xdr);
    await markFailed(q, row.ref, row.hash, codes, record.ledger_attr, { release: isPayoutBatch(row.ref) });
    throw failureFor(codes, row.ref);
  }

  async function rebuild(q: Db, row: EnvelopeRow, memo: MemoSpec | null): Promise<EnvelopeRow> {
    const payments = await paymentsOf(q, row.ref);
    // A channel-sourced envelope may move to another free channel; any other source is kept.
    const source = channelKeys.has(row.source) ? await pickSource(q, row.ref) : row.source;
    const planned = payments.map(plannedFromRow);
    const built = await build(source, planned, memo);
    return replaceEnvelope(q, row.ref, row.hash, {
      source,
      hash: built.hash,
      envelopeXdr: built.envelopeXdr,
      sequence: built.sequence,
      maxTime: built.maxTime,
    });
  }

  /**
   * Steps 2–4 of the idempotency protocol for a stored envelope. Serialized per ref by an advisory lock held on
   * one connection, so two attempts of the same ref never interleave.
   */
  async function drive(ref: string, memo: MemoSpec | null): Promise<PaymentResult> {
    return withEnvelopeLock(db, ref, (conn) => driveLocked(conn, ref, memo));
  }

  async function driveLocked(q: Db, ref: string, memo: MemoSpec | null): Promise<PaymentResult> {
    let row = await findEnvelope(q, ref);
    if (!row) throw new Error(`envelope ${ref} is not stored`);
    if (row.status === 'succeeded') return { hash: row.hash, ledger: row.ledger! };
    // A payout batch is never driven again once it failed: its failure released its payments (markFailed), so
    // nothing can pay one of them through it later (a deposit refunded meanwhile, say).
    if (row.status === 'failed' && isPayoutBatch(ref)) {
      throw failureFor(row.result_codes ?? { transaction: 'tx_failed' }, ref);
    }
    // A caller asking again after a failure that consumed the sequence (e.g. op_no_trust, now fixed) gets a
    // fresh envelope: a failed transaction moved no money.
    if (row.status === 'failed' && row.result_codes?.transaction === 'tx_failed')
      row = await rebuild(q, row, memo);
    // Bytes nobody has submitted yet are in no ledger (submitted_at is set before every submit, and a rebuilt
    // envelope starts without it): they go out at once, without the three reads that look for them first.
    let unsent = row.status === 'prepared' && row.submitted_at === null;
    try {
      for (let round = 0; round < 5; round++) {
        if (!unsent) {
          const landed = await lookup(row.hash);
          if (landed) return await settleLanded(q, row, landed);
          if (await cannotLand(row)) {
            // Checked the ledger first, the hash second: if the hash is still unknown now, it never lands.
            const late = await lookup(row.hash);
            if (late) return await settleLanded(q, row, late);
            row = await rebuild(q, row, memo);
            unsent = true;
            continue;
          }
        }
        unsent = false;
        await hooks.beforeSubmit?.(ref, row.attempt);
        await markSubmitted(q, ref);
        const tx = envelopeOf(row);
        let ledger: number;
        try {
          const res = await horizon.submitTransaction(tx, {
            skipMemoRequiredCheck: true,
          });
          ledger = res.ledger;
        } catch (err) {
          const codes = resultCodesOf(err);
          if (!codes) {
            // 400 without result codes (transaction_malformed): these bytes can never land.
            if (httpStatusOf(err) !== 400) throw new UncertainSubmission(err);
            await markFailed(q, ref, row.hash, { transaction: 'tx_malformed' }, null, {
              release: isPayoutBatch(ref),
            });
            throw failureFor({ transaction: 'tx_malformed' }, ref);
          }
          if (NOT_APPLIED.has(codes.transaction)) {
            if (codes.transaction === 'tx_insufficient_fee') {
              feeSeen = undefined; // surge pricing: the next envelope asks Horizon again
              throw new UncertainSubmission(err);
            }
            continue; // bad seq / too late: the next round proves it cannot land, then rebuilds
          }
          if (codes.transaction === 'tx_failed') {
            // In a ledger, failed: it consumed its sequence and moved nothing.
            const failed = await lookup(row.hash);
            await markFailed(q, ref, row.hash, codes, failed?.ledger_attr ?? null, {
              release: isPayoutBatch(ref),
            });
          } else {
            await markFailed(q, ref, row.hash, codes, null, { release: isPayoutBatch(ref) });
          }
          throw failureFor(codes, ref);
        }
        await hooks.afterSubmit?.(ref, row.hash);
        return await recordSuccess(q, row, ledger);
      }
      throw new UncertainSubmission('the envelope kept being replaced; retrying later');
    } finally {
      if (channelKeys.has(row.source)) await releaseChannel(q, row.source, ref);
    }
  }

  /** Step 1: stores a new envelope for `ref` unless one is stored already. */
  async function prepare(
    ref: string,
    planned: Planned[],
    memo: MemoSpec | null,
    source?: string,
  ): Promise<void> {
    if (await findEnvelope(db, ref)) return;
    let from = source ?? (await pickSource(db, ref));
    let built: Built;
    try {
      built = await build(from, planned, memo);
    } catch (err) {
      if (channelKeys.has(from) && !source) await releaseChannel(db, from, ref);
      // A channel missing on the ledger (accounts setup not run yet) must not stop payments.
      if (!(channelKeys.has(from) && isNotFound(err))) throw err;
      from = distribution.publicKey();
      built = await build(from, planned, memo);
    }
    let stored: boolean;
    try {
      stored = await insertEnvelope(
        db,
        {
          ref,
          source: from,
          hash: built.hash,
          envelopeXdr: built.envelopeXdr,
          sequence: built.sequence,
          maxTime: built.maxTime,
        },
        planned.map(toNewPayment),
      );
    } catch (err) {
      if (channelKeys.has(from)) await releaseChannel(db, from, ref);
      throw err;
    }
    if (!stored && channelKeys.has(from)) await releaseChannel(db, from, ref);
  }

  async function run(
    ref: string,
    planned: Planned[],
    memo: MemoSpec | null,
    source?: string,
  ): Promise<PaymentResult> {
    // Heartbeats while it waits on locks, channels and Horizon: a lost worker shows within heartbeatTimeout.
    return whileHeartbeating(async () => {
      try {
        await prepare(ref, planned, memo, source);
        return await drive(ref, memo);
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        if (err instanceof UncertainSubmission) throw err;
        const codes = resultCodesOf(err);
        if (codes) throw failureFor(codes, ref);
        throw err; // database or network trouble: retryable
      }
    });
  }

  // --- payout batches (sendPayment with batch: true) ---------------------------------------------------------
  //
  // Payouts this worker is asked for within PAYOUT_BATCH_WINDOW_MS are gathered into one envelope under a fresh
  // batch ref; each payment row keeps its own ref, bound to that envelope in the same database transaction that
  // stores it. A later attempt for a bound ref drives the envelope it is bound to (the same steps 2–4), so a crash
  // anywhere still ends with one payment. A batch with a final failure moved nothing: markFailed releases its
  // payments in the statement that records it, the ones that failed get their own operation's failure, and the
  // others (op_success in a tx_failed batch) go into the next batch.

  interface Waiter {
    request: PaymentRequest;
    rounds: number;
    resolve(result: PaymentResult): void;
    reject(err: unknown): void;
  }

  const batcher = createCoalescer<Waiter>({
    windowMs: config.payments.payoutBatchWindowMs,
    max: MAX_OPS_PER_TX,
    flush: (group) => void payGroup(group),
  });

  /** A released payment goes round again this many times before it is sent alone. */
  const MAX_BATCH_ROUNDS = 3;

  function queuePayout(request: PaymentRequest, rounds: number): Promise<PaymentResult> {
    if (rounds >= MAX_BATCH_ROUNDS) return payAlone(request);
    return new Promise((resolve, reject) => batcher.add({ request, rounds, resolve, reject }));
  }

  function payAlone(request: PaymentRequest): Promise<PaymentResult> {
    return run(request.ref, [paymentOp(request)], null);
  }

  async function payBatched(request: PaymentRequest): Promise<PaymentResult> {
    const bound = await findPayment(db, request.ref);
    if (bound) {
      if (bound.envelope_ref === request.ref) return payAlone(request); // stored alone by an earlier attempt
      const paid = await payBound(bound);
      if (paid) return paid;
    }
    return queuePayout(request, 0);
  }

  /**
   * Drives the batch envelope `payment` is bound to. Null when that batch failed in a ledger and released it
   * while its own operation was fine: it is free to go into another batch.
   */
  async function payBound(payment: PaymentRow): Promise<PaymentResult | null> {
    try {
      return await drive(payment.envelope_ref, null);
    } catch (err) {
      if (opCodeAt(err, payment.op_index) === 'op_success' && !(await findPayment(db, payment.ref)))
        return null;
      throw failureOfOp(err, payment.op_index, payment.ref);
    }
  }

  async function payGroup(group: Waiter[]): Promise<void> {
    // Two attempts of one activity on this worker (a timed-out one still running) share one answer.
    const waiters = new Map<string, Waiter[]>();
    for (const w of group) waiters.set(w.request.ref, [...(waiters.get(w.request.ref) ?? []), w]);
    const settle = (ref: string, outcome: Promise<PaymentResult>) =>
      outcome.then(
        (result) => {
          for (const w of waiters.get(ref) ?? []) w.resolve(result);
        },
        (err: unknown) => {
          for (const w of waiters.get(ref) ?? []) w.reject(err);
        },
      );
    const first = (ref: string) => waiters.get(ref)![0]!;
    let refs = [...waiters.keys()];
    try {
      const batchRef = `${PAYOUT_BATCH_PREFIX}${randomUUID()}`;
      for (let attempt = 1; ; attempt++) {
        // A ref another attempt stored meanwhile (another worker) goes on with its own envelope.
        const bound = new Set((await findPayments(db, refs)).map((p) => p.ref));
        for (const ref of refs.filter((r) => bound.has(r))) void settle(ref, payBatched(first(ref).request));
        refs = refs.filter((r) => !bound.has(r));
        if (refs.length === 0) return;
        try {
          await prepare(
            batchRef,
            refs.map((ref) => paymentOp(first(ref).request)),
            null,
          );
          break;
        } catch (err) {
          // Bound between the check and the insert: check again (the insert rolled back as a whole).
          if ((err as { code?: string }).code !== '23505' || attempt >= 3) throw err;
        }
      }
      let result: PaymentResult;
      try {
        result = await drive(batchRef, null);
      } catch (err) {
        if (!(err instanceof ApplicationFailure)) throw err;
        const stillBound = new Set((await findPayments(db, refs)).map((p) => p.ref));
        refs.forEach((ref, i) => {
          const innocent = opCodeAt(err, i) === 'op_success' && !stillBound.has(ref);
          const next = innocent
            ? queuePayout(first(ref).request, first(ref).rounds + 1)
            : Promise.reject(failureOfOp(err, i, ref));
          void settle(ref, next);
        });
        return;
      }
      for (const ref of refs) void settle(ref, Promise.resolve(result));
    } catch (err) {
      // Storing or building the batch failed (database, Horizon): every attempt retries on its own.
      for (const ref of refs) void settle(ref, Promise.reject(err));
    }
  }

  function validateRequest(p: PaymentRequest): MemoSpec | null {
    if (!p.ref || p.ref.length > 200) throw invalid('ref must be 1-200 characters');
    checkedAmount(p);
    parseDest(p.destination);
    try {
      toSdkAsset(p.asset);
      return p.memo ? normalizeMemo(p.memo) : null;
    } catch (err) {
      throw invalid(`payment ${p.ref}: ${(err as Error).message}`);
    }
  }

  return {
    /**
     * Pays `amount` of `asset` to `destination`, exactly once per `ref` (see the protocol above). Returns the
     * transaction hash and ledger. Asking again with the same ref returns the same answer; asking again after a
     * non-retryable failure that reached a ledger (e.g. StellarNoTrust, fixed since) tries again.
     */
    async sendPayment(input: PaymentRequest): Promise<PaymentResult> {
      const memo = validateRequest(input);
      if (
        input.source !== undefined &&
        input.source !== distribution.publicKey() &&
        !channelKeys.has(input.source)
      ) {
        throw invalid('source must be the distribution account or a configured channel account');
      }
      if (input.batch && !memo && input.source === undefined && config.payments.payoutBatchWindowMs > 0) {
        return whileHeartbeating(() => payBatched(input));
      }
      return run(input.ref, [paymentOp(input)], memo, input.source);
    },

    /**
     * Many payments in one transaction (≤ 100 operations) under one batch ref: the batch envelope and each
     * payment's ref → batch are stored before submission. Destinations carry no memo (use M... addresses);
     * a payment ref already in another batch is refused (StellarDuplicateRef).
     */
    async sendPaymentBatch(input: { batchRef: string; payments: PaymentRequest[] }): Promise<BatchResult> {
      const { batchRef, payments } = input;
      if (payments.length === 0 || payments.length > MAX_OPS_PER_TX) {
        throw invalid(`a batch holds 1 to ${MAX_OPS_PER_TX} payments`);
      }
      if (new Set(payments.map((p) => p.ref)).size !== payments.length)
        throw invalid('duplicate refs in batch');
      for (const p of payments) {
        if (validateRequest(p)) throw invalid(`payment ${p.ref}: batched payments carry no memo (use M...)`);
      }
      if (!(await findEnvelope(db, batchRef))) {
        // One query for the whole batch: is any of its refs bound to another envelope already?
        const taken = (
          await findPayments(
            db,
            payments.map((p) => p.ref),
          )
        ).find((existing) => existing.envelope_ref !== batchRef);
        if (taken) {
          throw ApplicationFailure.nonRetryable(
            `payment ${taken.ref} already belongs to ${taken.envelope_ref}`,
            StellarFailure.DuplicateRef,
          );
        }
      }
      const result = await run(
        batchRef,
        payments.map((p) => paymentOp(p)),
        null,
      );
      return { ...result, refs: payments.map((p) => p.ref) };
    },

    /** Creates `destination` with `startingBalance` XLM (S24-24), exactly once per ref. */
    async createAccount(input: { ref: string; destination: string; startingBalance: string }) {
      const request: PaymentRequest = {
        ref: input.ref,
        destination: input.destination,
        asset: { code: 'native', issuer: null },
        amount: input.startingBalance,
      };
      validateRequest(request);
      return run(input.ref, [createAccountOp(request)], null);
    },

    /**
     * Pays through a claimable balance the claimant can claim later (S24-26), exactly once per ref. Returns the
     * balance id with the hash and ledger.
     */
    async createClaimableBalance(input: {
      ref: string;
      claimant: string;
      asset: AssetRef;
      amount: string;
    }): Promise<PaymentResult & { balanceId: string }> {
      const request: PaymentRequest = {
        ref: input.ref,
        destination: input.claimant,
        asset: input.asset,
        amount: input.amount,
      };
      validateRequest(request);
      const result = await run(input.ref, [claimableBalanceOp(request)], null);
      const row = await findPayment(db, input.ref);
      return { ...result, balanceId: row!.claimable_balance_id! };
    },

    async accountExists(account: string): Promise<boolean> {
      try {
        await horizon.loadAccount(parseDest(account).account);
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },

    /** True when `account` holds a trust line to `asset` (native: the account exists). */
    async hasTrustline(account: string, asset: AssetRef): Promise<boolean> {
      const balances = await loadBalances(horizon, parseDest(account).account);
      if (!balances) return false;
      return isNative(asset) || balances.some((b) => sameAsset(b.asset, asset));
    },

    /** Balance of `asset` as a 7-decimal string; '0.0000000' without an account or a trust line. */
    async getBalance(account: string, asset: AssetRef): Promise<string> {
      const balances = await loadBalances(horizon, parseDest(account).account);
      const hit = balances?.find((b) => sameAsset(b.asset, asset));
      return hit ? formatFixed7(parseAmount(hit.balance)) : '0.0000000';
    },
  };
}

async function loadBalances(
  horizon: Horizon.Server,
  account: string,
): Promise<{ asset: AssetRef; balance: string }[] | null> {
  try {
    const acc = await horizon.loadAccount(account);
    return acc.balances.map((b) => {
      const rec = b as unknown as Record<string, string>;
      const asset: AssetRef =
        rec.asset_type === 'native'
          ? { code: 'native', issuer: null }
          : { code: rec.asset_code ?? '', issuer: rec.asset_issuer ?? null };
      return { asset, balance: rec.balance ?? '0' };
    });
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** A stored payment planned again (a rebuilt envelope): the same operation, checked the same way. */
function plannedFromRow(row: {
  ref: string;
  kind: NewPayment['kind'];
  destination: string;
  asset_code: string;
  asset_issuer: string | null;
  amount: string;
}): Planned {
  const request: PaymentRequest = {
    ref: row.ref,
    destination: row.destination,
    asset: { code: row.asset_code, issuer: row.asset_issuer },
    amount: row.amount,
  };
  if (row.kind === 'create_account') return createAccountOp(request);
  if (row.kind === 'claimable_balance') return claimableBalanceOp(request);
  return paymentOp(request);
}

/** Result codes of a transaction that is in a ledger, from its result XDR (for failed ones). */
function decodeResultCodes(resultXdr: string): ResultCodes {
  try {
    const result = xdr.TransactionResult.fromXDR(resultXdr, 'base64').result();
    const txCode = result.switch().name;
    const transaction = TX_CODE_NAMES[txCode] ?? txCode;
    const ops = (result.value() as xdr.OperationResult[] | undefined) ?? [];
    const operations = Array.isArray(ops)
      ? ops.map((op) => {
          try {
            const tr = op.tr();
            const inner = tr.value() as { switch(): { name: string } };
            return opCodeName(inner.switch().name);
          } catch {
            return 'op_inner';
          }
        })
      : [];
    return { transaction, operations };
  } catch {
    return { transaction: 'tx_failed' };
  }
}

const TX_CODE_NAMES: Record<string, string> = {
  txFailed: 'tx_failed',
  txSuccess: 'tx_success',
  txBadSeq: 'tx_bad_seq',
  txBadAuth: 'tx_bad_auth',
  txInsufficientBalance: 'tx_insufficient_balance',
  txTooLate: 'tx_too_late',
  txTooEarly: 'tx_too_early',
  txInsufficientFee: 'tx_insufficient_fee',
};

/** "paymentNoTrust" → "op_no_trust", "createAccountAlreadyExist" → "op_already_exists", "paymentSuccess" → ... */
function opCodeName(name: string): string {
  const known: [RegExp, string][] = [
    [/Success$/, 'op_success'],
    [/NoTrust$/, 'op_no_trust'],
    [/SrcNoTrust$/, 'op_src_no_trust'],
    [/Underfunded$/, 'op_underfunded'],
    [/NoDestination$/, 'op_no_destination'],
    [/NotAuthorized$/, 'op_not_authorized'],
    [/SrcNotAuthorized$/, 'op_src_not_authorized'],
    [/LineFull$/, 'op_line_full'],
    [/AlreadyExists?$/, 'op_already_exists'],
    [/LowReserve$/, 'op_low_reserve'],
    [/Malformed$/, 'op_malformed'],
  ];
  for (const [re, code] of known) if (re.test(name)) return code;
  return name;
}

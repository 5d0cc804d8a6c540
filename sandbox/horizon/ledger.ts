import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Account, Keypair, Operation, TimeoutInfinite, TransactionBuilder } from '@stellar/stellar-sdk';
import { baseAccountId } from '../../stellar/muxed.js';
import { describeOperation, PAYMENT_TYPES } from './describe.js';
import type { LedgerContext } from './operations.js';
import { toid, transactionRecord } from './records.js';
import { CommittedState, LedgerView, newAccount } from './state.js';
import type { HorizonStore, LedgerHeader, StoredOperation, StoredTx } from './store.js';
import {
  applyTransaction,
  MalformedTransaction,
  type ParsedTx,
  parseEnvelope,
  type Rejection,
  validate,
} from './transaction.js';

/** 100 billion XLM, held by the network's root account at genesis. */
const TOTAL_COINS = 100_000_000_000n * 10_000_000n;

export type SubmitOutcome =
  /** applied in a closed ledger (successful or tx_failed); `record` is the Horizon transaction */
  | { kind: 'applied'; record: Record<string, unknown> }
  /** refused before entering a ledger (bad seq, bad auth, fees...) */
  | { kind: 'rejected'; rejection: Rejection; envelopeXdr: string };

export { MalformedTransaction };

export interface LedgerOptions {
  passphrase: string;
  baseFee: bigint;
  baseReserve: bigint;
  maxOpsPerLedger: number;
  ledgerCloseMs: number;
  rate: LedgerContext['rate'];
  store: HorizonStore;
  /** hold a Postgres advisory lock on the schema while running (one writer per ledger) */
  lockSchema: boolean;
  /** told about failed ledger closes (the ledger keeps closing; the batch's submitters get the error) */
  onCloseError?: (err: unknown) => void;
}

interface Pending {
  parsed: ParsedTx;
  promise: Promise<SubmitOutcome>;
  resolve(o: SubmitOutcome): void;
  reject(err: unknown): void;
}

/**
 * The ledger: a FIFO of accepted transactions, closed on a timer into ledgers of at most `maxOpsPerLedger`
 * operations. Submissions resolve when their ledger has been written to Postgres (like Horizon's synchronous
 * POST /transactions). Closes never overlap.
 */
export class Ledger {
  state = new CommittedState();
  latest!: LedgerHeader;
  readonly rootKeypair: Keypair;
  /** SSE streams currently open (their cursors are resolved) — lets tests wait for a subscriber */
  openStreams = 0;
  /** fires 'ledger' with the header after each close is durable */
  readonly events = new EventEmitter();
  private queue: Pending[] = [];
  private pendingByHash = new Map<string, Pending>();
  /** highest queued sequence per source account, so consecutive submissions validate before a close */
  private queuedSeq = new Map<string, bigint>();
  private closing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: LedgerOptions) {
    this.rootKeypair = Keypair.master(o.passphrase);
    this.events.setMaxListeners(0);
  }

  async init(): Promise<void> {
    if (this.o.lockSchema) await this.o.store.lock();
    await this.o.store.init();
    const { state, latest } = await this.o.store.load();
    this.state = state;
    if (latest) {
      this.latest = latest;
      return;
    }
    const closeTime = Math.floor(Date.now() / 1000);
    const genesis: LedgerHeader = {
      seq: 1,
      hash: sha256(`genesis:${this.o.passphrase}`),
      prevHash: '0'.repeat(64),
      closeTime,
      txCount: 0,
      failedTxCount: 0,
      opCount: 0,
      txSetOpCount: 0,
      baseFee: this.o.baseFee,
      baseReserve: this.o.baseReserve,
      totalCoins: TOTAL_COINS,
      feePool: 0n,
    };
    const view = new LedgerView(this.state);
    const root = newAccount(this.rootKeypair.publicKey(), TOTAL_COINS, 1, closeTime);
    root.seq = 0n;
    view.putAccount(root);
    await this.o.store.writeLedger({ header: genesis, view, transactions: [], operations: [] });
    view.commitTo(this.state);
    this.latest = genesis;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.closing;
    for (const p of this.queue) p.reject(new Error('sandbox Horizon stopped'));
    this.queue = [];
    this.pendingByHash.clear();
    this.queuedSeq.clear();
    await this.o.store.unlock();
  }

  private schedule() {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.closeLedgerNow()
        .catch((err) => this.o.onCloseError?.(err))
        .finally(() => this.schedule());
    }, this.o.ledgerCloseMs);
  }

  /** The sequence number the next transaction from `accountId` must use minus one (queued ones included). */
  currentSeq(accountId: string): bigint | undefined {
    return this.queuedSeq.get(accountId) ?? this.state.getAccount(accountId)?.seq;
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  async submit(envelopeXdr: string): Promise<SubmitOutcome> {
    const parsed = parseEnvelope(envelopeXdr, this.o.passphrase);
    const joined = this.pendingByHash.get(parsed.hash);
    if (joined) return joined.promise;
    const rejection = validate(this.state, parsed, {
      closeTime: Math.max(Math.floor(Date.now() / 1000), this.latest.closeTime),
      baseFee: this.o.baseFee,
      baseReserve: this.o.baseReserve,
      currentSeq: (id) => this.queuedSeq.get(id),
    });
    if (rejection) {
      // A resubmitted envelope that was already applied answers with its result, as Horizon does.
      const existing = await this.o.store.transaction(parsed.hash);
      if (existing && existing.hash === parsed.hash) return { kind: 'applied', record: existing };
      const raced = this.pendingByHash.get(parsed.hash);
      if (raced) return raced.promise;
      return { kind: 'rejected', rejection, envelopeXdr };
    }
    return this.enqueue(parsed).promise;
  }

  /**
   * POST /transactions_async: validates and queues without waiting for a ledger. A refused transaction
   * answers its result XDR; one already queued or applied is a duplicate.
   */
  async submitAsync(
    envelopeXdr: string,
  ): Promise<{ status: 'PENDING' | 'DUPLICATE' | 'ERROR'; hash: string; resultXdr?: string }> {
    const parsed = parseEnvelope(envelopeXdr, this.o.passphrase);
    const hash = parsed.hash;
    if (this.pendingByHash.has(hash)) return { status: 'DUPLICATE', hash };
    const rejection = validate(this.state, parsed, {
      closeTime: Math.max(Math.floor(Date.now() / 1000), this.latest.closeTime),
      baseFee: this.o.baseFee,
      baseReserve: this.o.baseReserve,
      currentSeq: (id) => this.queuedSeq.get(id),
    });
    if (rejection) {
      const existing = await this.o.store.transaction(hash);
      if ((existing && existing.hash === hash) || this.pendingByHash.has(hash))
        return { status: 'DUPLICATE', hash };
      return { status: 'ERROR', hash, resultXdr: rejection.result.toXDR('base64') };
    }
    // nobody awaits this one: its outcome is read back with GET /transactions/:hash
    this.enqueue(parsed).promise.catch(() => {});
    return { status: 'PENDING', hash };
  }

  private enqueue(parsed: ParsedTx): Pending {
    let resolve!: (o: SubmitOutcome) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<SubmitOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const pending: Pending = { parsed, promise, resolve, reject };
    this.queue.push(pending);
    this.pendingByHash.set(parsed.hash, pending);
    this.queuedSeq.set(baseAccountId(parsed.tx.source), BigInt(parsed.tx.sequence));
    return pending;
  }

  /** Friendbot: the root account creates `destination` with `startingBalance`. */
  async fund(destination: string, startingBalance: string): Promise<SubmitOutcome> {
    const rootId = this.rootKeypair.publicKey();
    const seq = this.currentSeq(rootId)!;
    const tx = new TransactionBuilder(new Account(rootId, seq.toString()), {
      fee: this.o.baseFee.toString(),
      networkPassphrase: this.o.passphrase,
    })
      .addOperation(Operation.createAccount({ destination, startingBalance }))
      .setTimeout(TimeoutInfinite)
      .build();
    tx.sign(this.rootKeypair);
    return this.submit(tx.toEnvelope().toXDR('base64'));
  }

  /** Closes the next ledger now (after any close in progress). */
  closeLedgerNow(): Promise<void> {
    const next = this.closing.then(() => this.close());
    this.closing = next.catch(() => {});
    return next;
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let ops = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && ops + next.parsed.opCount > this.o.maxOpsPerLedger) break;
      batch.push(this.queue.shift()!);
      ops += next.parsed.opCount;
    }
    return batch;
  }

  private async close(): Promise<void> {
    const batch = this.takeBatch();
    const prev = this.latest;
    const seq = prev.seq + 1;
    const closeTime = Math.max(Math.floor(Date.now() / 1000), prev.closeTime);
    const view = new LedgerView(this.state);
    const ctx = {
      seq,
      closeTime,
      baseReserve: this.o.baseReserve,
      baseFee: this.o.baseFee,
      rate: this.o.rate,
    };
    const header: LedgerHeader = {
      seq,
      hash: '',
      prevHash: prev.hash,
      closeTime,
      txCount: 0,
      failedTxCount: 0,
      opCount: 0,
      txSetOpCount: 0,
      baseFee: this.o.baseFee,
      baseReserve: this.o.baseReserve,
      totalCoins: prev.totalCoins,
      feePool: prev.feePool,
    };
    const transactions: StoredTx[] = [];
    const operations: StoredOperation[] = [];
    const outcomes: [Pending, SubmitOutcome][] = [];
    for (const pending of batch) {
      const p = pending.parsed;
      const rejection = validate(view, p, {
        closeTime,
        baseFee: this.o.baseFee,
        baseReserve: this.o.baseReserve,
      });
      if (rejection) {
        outcomes.push([pending, { kind: 'rejected', rejection, envelopeXdr: p.envelopeXdr }]);
        continue;
      }
      const applied = applyTransaction(view, p, ctx);
      const order = transactions.length + 1;
      const txId = toid(seq, order, 0);
      header.txCount += 1;
      header.txSetOpCount += p.opCount;
      if (applied.successful) header.opCount += p.opCount;
      else header.failedTxCount += 1;
      header.feePool += applied.fee;
      const record = transactionRecord({
        id: txId,
        hash: p.hash,
        ledger: header,
        tx: p.tx,
        feeBump: p.feeBump,
        successful: applied.successful,
        feeCharged: applied.fee,
        envelopeXdr: p.envelopeXdr,
        resultXdr: applied.result.toXDR('base64'),
      });
      const accounts = new Set<string>([p.feeSource, baseAccountId(p.tx.source)]);
      applied.ops.forEach((op, i) => {
        const operation = p.tx.operations[i]!;
        const opSource = operation.source ?? p.tx.source;
        const facts = describeOperation(operation, opSource);
        const participants = [...new Set([...facts.participants, ...(op.payment?.participants ?? [])])];
        for (const a of participants) accounts.add(a);
        const id = toid(seq, order, i + 1);
        operations.push({
          id,
          txHash: p.hash,
          ledger: seq,
          isPayment: PAYMENT_TYPES.has(facts.type),
          successful: applied.successful,
          accounts: participants,
          record: {
            id: id.toString(),
            paging_token: id.toString(),
            transaction_successful: applied.successful,
            source_account: baseAccountId(opSource),
            ...(opSource.startsWith('M') ? { source_account_muxed: opSource } : {}),
            type: facts.type,
            type_i: facts.typeI,
            created_at: record.created_at,
            transaction_hash: p.hash,
            ...facts.fields,
            ...(applied.successful ? (op.payment?.fields ?? {}) : {}),
          },
        });
      });
      transactions.push({
        id: txId,
        hash: p.hash,
        innerHash: p.innerHash,
        ledger: seq,
        successful: applied.successful,
        accounts: [...accounts],
        record,
      });
      outcomes.push([pending, { kind: 'applied', record }]);
    }
    header.hash = sha256(`${prev.hash}:${seq}:${transactions.map((t) => t.hash).join(',')}`);
    for (const t of transactions) t.record.ledger = seq;
    try {
      await this.o.store.writeLedger({ header, view, transactions, operations });
    } catch (err) {
      // Nothing was committed: the batch's submitters get the error, the in-memory state is unchanged.
      for (const pending of batch) {
        this.pendingByHash.delete(pending.parsed.hash);
        pending.reject(err);
      }
      this.recomputeQueuedSeq();
      throw err;
    }
    view.commitTo(this.state);
    this.latest = header;
    for (const [pending, outcome] of outcomes) {
      this.pendingByHash.delete(pending.parsed.hash);
      pending.resolve(outcome);
    }
    this.recomputeQueuedSeq();
    this.events.emit('ledger', header);
  }

  private recomputeQueuedSeq() {
    this.queuedSeq.clear();
    for (const p of this.queue)
      this.queuedSeq.set(baseAccountId(p.parsed.tx.source), BigInt(p.parsed.tx.sequence));
  }
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

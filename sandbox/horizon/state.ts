/**
 * The ledger's entries held in memory. A `LedgerView` is a copy-on-write layer over its parent: a ledger close
 * works in one layer over the committed state, each transaction's operations in a nested layer that is merged
 * on success and dropped on failure, exactly as the network rolls back a failed transaction's operations.
 */

export const ACCOUNT_FLAGS = {
  authRequired: 1,
  authRevocable: 2,
  authImmutable: 4,
  authClawback: 8,
} as const;
export const TRUSTLINE_FLAGS = { authorized: 1, maintainLiabilities: 2, clawback: 4 } as const;

export interface Signer {
  /** G... for ed25519 keys; T... (pre-auth tx) and X... (hash-x) are stored but only ed25519 signs here. */
  key: string;
  weight: number;
}

export interface TrustLine {
  /** "CODE:ISSUER" */
  asset: string;
  balance: bigint;
  limit: bigint;
  flags: number;
  lastModifiedLedger: number;
}

export interface AccountEntry {
  id: string;
  seq: bigint;
  balance: bigint;
  numSubEntries: number;
  numSponsoring: number;
  numSponsored: number;
  flags: number;
  homeDomain: string;
  masterWeight: number;
  low: number;
  med: number;
  high: number;
  signers: Signer[];
  /** name → base64 value */
  data: Record<string, string>;
  trustLines: Record<string, TrustLine>;
  inflationDest?: string;
  /** ledger in which the sequence number last changed (Horizon: sequence_ledger) */
  seqLedger: number;
  seqTime: number;
  lastModifiedLedger: number;
}

export interface ClaimantEntry {
  destination: string;
  /** xdr.ClaimPredicate in base64, relative times already made absolute */
  predicate: string;
}

export interface ClaimableBalanceEntry {
  /** 72 hex characters (type prefix + hash), as Horizon shows it */
  id: string;
  /** "native" or "CODE:ISSUER" */
  asset: string;
  amount: bigint;
  sponsor: string;
  claimants: ClaimantEntry[];
  lastModifiedLedger: number;
}

type Kind = 'account' | 'balance';
type EntryOf<K extends Kind> = K extends 'account' ? AccountEntry : ClaimableBalanceEntry;

export interface EntrySource {
  getAccount(id: string): AccountEntry | undefined;
  getBalance(id: string): ClaimableBalanceEntry | undefined;
}

/** The committed state: plain maps, mutated only when a ledger close has been written to Postgres. */
export class CommittedState implements EntrySource {
  readonly accounts = new Map<string, AccountEntry>();
  readonly balances = new Map<string, ClaimableBalanceEntry>();
  getAccount(id: string) {
    return this.accounts.get(id);
  }
  getBalance(id: string) {
    return this.balances.get(id);
  }
}

/** A copy-on-write layer. `undefined` in a changes map means "deleted in this layer". */
export class LedgerView implements EntrySource {
  readonly accounts = new Map<string, AccountEntry | undefined>();
  readonly balances = new Map<string, ClaimableBalanceEntry | undefined>();
  constructor(readonly parent: EntrySource) {}

  getAccount(id: string): AccountEntry | undefined {
    return this.accounts.has(id) ? this.accounts.get(id) : this.parent.getAccount(id);
  }
  getBalance(id: string): ClaimableBalanceEntry | undefined {
    return this.balances.has(id) ? this.balances.get(id) : this.parent.getBalance(id);
  }

  /** A mutable copy owned by this layer (undefined when the account does not exist). */
  loadAccount(id: string): AccountEntry | undefined {
    return this.load('account', id);
  }
  loadBalance(id: string): ClaimableBalanceEntry | undefined {
    return this.load('balance', id);
  }
  putAccount(entry: AccountEntry) {
    this.accounts.set(entry.id, entry);
  }
  putBalance(entry: ClaimableBalanceEntry) {
    this.balances.set(entry.id, entry);
  }
  deleteAccount(id: string) {
    this.accounts.set(id, undefined);
  }
  deleteBalance(id: string) {
    this.balances.set(id, undefined);
  }

  private load<K extends Kind>(kind: K, id: string): EntryOf<K> | undefined {
    const own = (kind === 'account' ? this.accounts : this.balances) as Map<string, EntryOf<K> | undefined>;
    if (own.has(id)) return own.get(id);
    const inherited = (kind === 'account' ? this.parent.getAccount(id) : this.parent.getBalance(id)) as
      | EntryOf<K>
      | undefined;
    if (!inherited) return undefined;
    const copy = structuredClone(inherited);
    own.set(id, copy);
    return copy;
  }

  /** Folds this layer's changes into a parent layer. */
  mergeInto(target: LedgerView) {
    for (const [id, e] of this.accounts) target.accounts.set(id, e);
    for (const [id, e] of this.balances) target.balances.set(id, e);
  }

  /** Folds this layer into the committed state (after Postgres has the same changes). */
  commitTo(target: CommittedState) {
    for (const [id, e] of this.accounts) {
      if (e) target.accounts.set(id, e);
      else target.accounts.delete(id);
    }
    for (const [id, e] of this.balances) {
      if (e) target.balances.set(id, e);
      else target.balances.delete(id);
    }
  }
}

export function newAccount(id: string, balance: bigint, ledgerSeq: number, closeTime: number): AccountEntry {
  return {
    id,
    seq: BigInt(ledgerSeq) << 32n,
    balance,
    numSubEntries: 0,
    numSponsoring: 0,
    numSponsored: 0,
    flags: 0,
    homeDomain: '',
    masterWeight: 1,
    low: 0,
    med: 0,
    high: 0,
    signers: [],
    data: {},
    trustLines: {},
    seqLedger: ledgerSeq,
    seqTime: closeTime,
    lastModifiedLedger: ledgerSeq,
  };
}

/** (2 + subentries + sponsoring − sponsored) × base reserve */
export function minBalance(a: AccountEntry, baseReserve: bigint): bigint {
  return BigInt(2 + a.numSubEntries + a.numSponsoring - a.numSponsored) * baseReserve;
}

export function availableBalance(a: AccountEntry, baseReserve: bigint): bigint {
  return a.balance - minBalance(a, baseReserve);
}

// JSON for Postgres: bigints as decimal strings, converted field by field (never guessed from the value).
export function accountToJson(a: AccountEntry): unknown {
  const trustLines: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(a.trustLines)) {
    trustLines[k] = { ...t, balance: t.balance.toString(), limit: t.limit.toString() };
  }
  return { ...a, seq: a.seq.toString(), balance: a.balance.toString(), trustLines };
}

export function accountFromJson(json: any): AccountEntry {
  const trustLines: Record<string, TrustLine> = {};
  for (const [k, t] of Object.entries<any>(json.trustLines ?? {})) {
    trustLines[k] = { ...t, balance: BigInt(t.balance), limit: BigInt(t.limit) };
  }
  return { ...json, seq: BigInt(json.seq), balance: BigInt(json.balance), trustLines };
}

export function balanceToJson(b: ClaimableBalanceEntry): unknown {
  return { ...b, amount: b.amount.toString() };
}

export function balanceFromJson(json: any): ClaimableBalanceEntry {
  return { ...json, amount: BigInt(json.amount) };
}

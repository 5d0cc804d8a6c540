import type { FeeBumpTransaction, Memo, Transaction } from '@stellar/stellar-sdk';
import { baseAccountId } from '../../stellar/muxed.js';
import { fromStroops } from './amount.js';
import { muxedFields, predicateJson } from './operations.js';
import type { AccountEntry, ClaimableBalanceEntry } from './state.js';
import type { LedgerHeader } from './store.js';

/** Horizon's JSON shapes. Stored records carry no `_links`; those are added per request from the base URL. */

export function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** TOID: ledger << 32 | application order << 12 | operation index (1-based; 0 for the transaction). */
export function toid(ledger: number, txOrder: number, opIndex: number): bigint {
  return (BigInt(ledger) << 32n) | (BigInt(txOrder) << 12n) | BigInt(opIndex);
}

function memoFields(memo: Memo): Record<string, string> {
  switch (memo.type) {
    case 'none':
      return { memo_type: 'none' };
    case 'text': {
      const raw = Buffer.isBuffer(memo.value) ? memo.value : Buffer.from(String(memo.value), 'utf8');
      return { memo_type: 'text', memo: raw.toString('utf8'), memo_bytes: raw.toString('base64') };
    }
    case 'id':
      return { memo_type: 'id', memo: String(memo.value) };
    default:
      return { memo_type: memo.type, memo: Buffer.from(memo.value as Buffer).toString('base64') };
  }
}

export interface TxRecordInput {
  id: bigint;
  hash: string;
  ledger: LedgerHeader;
  tx: Transaction;
  feeBump?: FeeBumpTransaction;
  successful: boolean;
  feeCharged: bigint;
  envelopeXdr: string;
  resultXdr: string;
}

export function transactionRecord(i: TxRecordInput): Record<string, unknown> {
  const tx = i.tx;
  const tb = tx.timeBounds;
  const feeAccount = i.feeBump ? i.feeBump.feeSource : tx.source;
  const record: Record<string, unknown> = {
    id: i.hash,
    paging_token: i.id.toString(),
    successful: i.successful,
    hash: i.hash,
    ledger: i.ledger.seq,
    created_at: isoTime(i.ledger.closeTime),
    source_account: baseAccountId(tx.source),
    ...muxedFields(tx.source, 'account'),
    source_account_sequence: tx.sequence,
    fee_account: baseAccountId(feeAccount),
    ...muxedFields(feeAccount, 'fee_account'),
    fee_charged: i.feeCharged.toString(),
    max_fee: (i.feeBump ? i.feeBump.fee : tx.fee).toString(),
    operation_count: tx.operations.length,
    envelope_xdr: i.envelopeXdr,
    result_xdr: i.resultXdr,
    fee_meta_xdr: '',
    ...memoFields(tx.memo),
    signatures: (i.feeBump ?? tx).signatures.map((s) => s.signature().toString('base64')),
    ...(tb
      ? {
          valid_after: isoTime(Number(tb.minTime)),
          ...(tb.maxTime !== '0' ? { valid_before: isoTime(Number(tb.maxTime)) } : {}),
          preconditions: {
            timebounds: { min_time: tb.minTime, ...(tb.maxTime !== '0' ? { max_time: tb.maxTime } : {}) },
          },
        }
      : {}),
  };
  if (i.feeBump) {
    record.fee_bump_transaction = {
      hash: i.hash,
      signatures: i.feeBump.signatures.map((s) => s.signature().toString('base64')),
    };
    record.inner_transaction = {
      hash: tx.hash().toString('hex'),
      signatures: tx.signatures.map((s) => s.signature().toString('base64')),
      max_fee: tx.fee.toString(),
    };
  }
  return record;
}

function balanceLine(asset: string): Record<string, string> {
  const [code, issuer] = asset.split(':') as [string, string];
  return {
    asset_type: code.length <= 4 ? 'credit_alphanum4' : 'credit_alphanum12',
    asset_code: code,
    asset_issuer: issuer,
  };
}

function signerType(key: string): string {
  if (key.startsWith('T')) return 'preauth_tx';
  if (key.startsWith('X')) return 'sha256_hash';
  return 'ed25519_public_key';
}

export function accountRecord(a: AccountEntry, ledger: LedgerHeader): Record<string, unknown> {
  const balances: Record<string, unknown>[] = Object.values(a.trustLines)
    .sort((x, y) => (x.asset < y.asset ? -1 : 1))
    .map((t) => ({
      balance: fromStroops(t.balance),
      limit: fromStroops(t.limit),
      buying_liabilities: '0.0000000',
      selling_liabilities: '0.0000000',
      last_modified_ledger: t.lastModifiedLedger,
      is_authorized: (t.flags & 1) !== 0,
      is_authorized_to_maintain_liabilities: (t.flags & 3) !== 0,
      is_clawback_enabled: (t.flags & 4) !== 0,
      ...balanceLine(t.asset),
    }));
  balances.push({
    balance: fromStroops(a.balance),
    buying_liabilities: '0.0000000',
    selling_liabilities: '0.0000000',
    asset_type: 'native',
  });
  return {
    id: a.id,
    account_id: a.id,
    sequence: a.seq.toString(),
    sequence_ledger: a.seqLedger,
    sequence_time: String(a.seqTime),
    subentry_count: a.numSubEntries,
    ...(a.inflationDest ? { inflation_destination: a.inflationDest } : {}),
    ...(a.homeDomain ? { home_domain: a.homeDomain } : {}),
    last_modified_ledger: a.lastModifiedLedger,
    last_modified_time: isoTime(ledger.closeTime),
    thresholds: { low_threshold: a.low, med_threshold: a.med, high_threshold: a.high },
    flags: {
      auth_required: (a.flags & 1) !== 0,
      auth_revocable: (a.flags & 2) !== 0,
      auth_immutable: (a.flags & 4) !== 0,
      auth_clawback_enabled: (a.flags & 8) !== 0,
    },
    balances,
    signers: [
      ...a.signers.map((s) => ({ weight: s.weight, key: s.key, type: signerType(s.key) })),
      { weight: a.masterWeight, key: a.id, type: 'ed25519_public_key' },
    ],
    data: { ...a.data },
    num_sponsoring: a.numSponsoring,
    num_sponsored: a.numSponsored,
    paging_token: a.id,
  };
}

export function ledgerRecord(h: LedgerHeader): Record<string, unknown> {
  return {
    id: h.hash,
    paging_token: toid(h.seq, 0, 0).toString(),
    hash: h.hash,
    ...(h.seq > 1 ? { prev_hash: h.prevHash } : {}),
    sequence: h.seq,
    successful_transaction_count: h.txCount - h.failedTxCount,
    failed_transaction_count: h.failedTxCount,
    operation_count: h.opCount,
    tx_set_operation_count: h.txSetOpCount,
    closed_at: isoTime(h.closeTime),
    total_coins: fromStroops(h.totalCoins),
    fee_pool: fromStroops(h.feePool),
    base_fee_in_stroops: Number(h.baseFee),
    base_reserve_in_stroops: Number(h.baseReserve),
    max_tx_set_size: 1000,
    protocol_version: 23,
  };
}

export function claimableBalanceRecord(b: ClaimableBalanceEntry): Record<string, unknown> {
  const asset = b.asset === 'native' ? 'native' : b.asset;
  return {
    id: b.id,
    paging_token: `${b.lastModifiedLedger}-${b.id}`,
    asset,
    amount: fromStroops(b.amount),
    sponsor: b.sponsor,
    last_modified_ledger: b.lastModifiedLedger,
    claimants: b.claimants.map((c) => ({
      destination: c.destination,
      predicate: predicateJson(c.predicate),
    })),
    flags: { clawback_enabled: false },
  };
}

import { createHash } from 'node:crypto';
import {
  FeeBumpTransaction,
  Keypair,
  type Operation,
  StrKey,
  type Transaction,
  TransactionBuilder,
  xdr,
} from '@stellar/stellar-sdk';
import { baseAccountId } from '../../stellar/muxed.js';
import { type AppliedOp, applyOperation, type LedgerContext } from './operations.js';
import {
  feeBumpResultBody,
  type OpOutcome,
  opBadAuth,
  opNoSourceAccount,
  opNotSupported,
  opSuccess,
  plainResultBody,
  txCode,
  txResult,
} from './results.js';
import { type AccountEntry, availableBalance, type EntrySource, LedgerView } from './state.js';

/** A decoded submission. Signature checks are cached per (signature, key): they never change. */
export interface ParsedTx {
  envelopeXdr: string;
  /** hash of the submitted envelope (the fee bump's own hash for fee bumps) */
  hash: string;
  /** the transaction carrying operations (the inner one for fee bumps) */
  tx: Transaction;
  feeBump?: FeeBumpTransaction;
  innerHash: string;
  feeSource: string;
  /** the fee bid of the envelope */
  maxFee: bigint;
  opCount: number;
  sigCache: Map<string, boolean>;
}

export class MalformedTransaction extends Error {
  readonly code = 'transaction_malformed';
}

export function parseEnvelope(envelopeXdr: string, passphrase: string): ParsedTx {
  let decoded: Transaction | FeeBumpTransaction;
  try {
    decoded = TransactionBuilder.fromXDR(envelopeXdr, passphrase);
  } catch (err) {
    throw new MalformedTransaction(err instanceof Error ? err.message : String(err));
  }
  const envType = decoded.toEnvelope().switch().name;
  if (envType === 'envelopeTypeTxV0') throw new MalformedTransaction('v0 envelopes are not accepted');
  if (decoded instanceof FeeBumpTransaction) {
    const inner = decoded.innerTransaction;
    return {
      envelopeXdr,
      hash: decoded.hash().toString('hex'),
      tx: inner,
      feeBump: decoded,
      innerHash: inner.hash().toString('hex'),
      feeSource: baseAccountId(decoded.feeSource),
      maxFee: BigInt(decoded.fee),
      opCount: inner.operations.length,
      sigCache: new Map(),
    };
  }
  const hash = decoded.hash().toString('hex');
  return {
    envelopeXdr,
    hash,
    tx: decoded,
    innerHash: hash,
    feeSource: baseAccountId(decoded.source),
    maxFee: BigInt(decoded.fee),
    opCount: decoded.operations.length,
    sigCache: new Map(),
  };
}

/** The fee the network takes when there is no surge: base fee per operation (+1 for the fee bump). */
export function feeCharged(p: ParsedTx, baseFee: bigint): bigint {
  return baseFee * BigInt(p.opCount + (p.feeBump ? 1 : 0));
}

type Level = 'low' | 'med' | 'high';

function levelOf(op: Operation): Level {
  switch (op.type) {
    case 'allowTrust':
    case 'setTrustLineFlags':
    case 'bumpSequence':
    case 'claimClaimableBalance':
    case 'inflation':
      return 'low';
    case 'accountMerge':
      return 'high';
    case 'setOptions':
      return op.masterWeight !== undefined ||
        op.lowThreshold !== undefined ||
        op.medThreshold !== undefined ||
        op.highThreshold !== undefined ||
        op.signer !== undefined
        ? 'high'
        : 'med';
    default:
      return 'med';
  }
}

class SignatureSet {
  readonly used = new Set<number>();
  constructor(
    private readonly signatures: xdr.DecoratedSignature[],
    private readonly hash: Buffer,
    private readonly cache: Map<string, boolean>,
    private readonly cachePrefix: string,
  ) {}

  /** True when the account's signers present weight ≥ its threshold at `level` (and at least one signs). */
  authorizes(acc: AccountEntry, level: Level): boolean {
    const needed = level === 'low' ? acc.low : level === 'med' ? acc.med : acc.high;
    const signers = [{ key: acc.id, weight: acc.masterWeight }, ...acc.signers];
    let total = 0;
    for (const signer of signers) {
      if (signer.weight <= 0) continue;
      if (this.signs(signer.key)) {
        total += Math.min(signer.weight, 255);
        if (total >= needed) return true;
      }
    }
    return false;
  }

  private signs(key: string): boolean {
    if (key.startsWith('T')) return StrKey.decodePreAuthTx(key).equals(this.hash);
    if (key.startsWith('X')) {
      const x = StrKey.decodeSha256Hash(key);
      return this.signatures.some((s, i) => {
        const ok = createHash('sha256').update(s.signature()).digest().equals(x);
        if (ok) this.used.add(i);
        return ok;
      });
    }
    if (!key.startsWith('G')) return false;
    const kp = Keypair.fromPublicKey(key);
    const hint = kp.signatureHint();
    for (let i = 0; i < this.signatures.length; i++) {
      const sig = this.signatures[i]!;
      if (!sig.hint().equals(hint)) continue;
      const cacheKey = `${this.cachePrefix}${i}:${key}`;
      let ok = this.cache.get(cacheKey);
      if (ok === undefined) {
        ok = kp.verify(this.hash, sig.signature());
        this.cache.set(cacheKey, ok);
      }
      if (ok) {
        this.used.add(i);
        return true;
      }
    }
    return false;
  }

  allUsed(): boolean {
    return this.used.size === this.signatures.length;
  }
}

/** Why a submission is refused before it reaches a ledger (nothing charged, sequence unchanged). */
export interface Rejection {
  /** Horizon's result_codes */
  resultCodes: { transaction: string; inner_transaction?: string; operations?: string[] };
  result: xdr.TransactionResult;
}

export interface ValidationOptions {
  closeTime: number;
  baseFee: bigint;
  baseReserve: bigint;
  /** the source's current sequence as the next ledger will see it (including queued transactions) */
  currentSeq?: (accountId: string) => bigint | undefined;
}

interface InnerCheck {
  arm: string;
  ops?: OpOutcome[];
}

function checkInner(view: EntrySource, p: ParsedTx, o: ValidationOptions): InnerCheck | null {
  const tx = p.tx;
  if (tx.operations.length === 0) return { arm: 'txMissingOperation' };
  const tb = tx.timeBounds;
  if (tb) {
    if (Number(tb.minTime) > o.closeTime) return { arm: 'txTooEarly' };
    if (Number(tb.maxTime) !== 0 && Number(tb.maxTime) < o.closeTime) return { arm: 'txTooLate' };
  }
  // stellar-core's order: fee, source, sequence, signature, balance (the fee checks belong to the fee bump when
  // there is one)
  const ownFee = !p.feeBump;
  if (ownFee && p.maxFee < feeCharged(p, o.baseFee)) return { arm: 'txInsufficientFee' };
  const sourceId = baseAccountId(tx.source);
  const source = view.getAccount(sourceId);
  if (!source) return { arm: 'txNoAccount' };
  const current = o.currentSeq?.(sourceId) ?? source.seq;
  if (BigInt(tx.sequence) !== current + 1n) return { arm: 'txBadSeq' };
  const sigs = new SignatureSet(tx.signatures, tx.hash(), p.sigCache, 'i');
  if (!sigs.authorizes(source, 'low')) return { arm: 'txBadAuth' };
  if (ownFee && availableBalance(source, o.baseReserve) < p.maxFee) return { arm: 'txInsufficientBalance' };
  let opFailed = false;
  const ops = tx.operations.map((op, i) => {
    const acc = view.getAccount(baseAccountId(op.source ?? tx.source));
    if (acc && !sigs.authorizes(acc, levelOf(op))) {
      opFailed = true;
      return opBadAuth();
    }
    return placeholderSuccess(op, tx, i);
  });
  if (opFailed) return { arm: 'txFailed', ops };
  if (!sigs.allUsed()) return { arm: 'txBadAuthExtra' };
  return null;
}

/** An operation that would not fail validation, shown as op_success next to the one that did. */
function placeholderSuccess(op: Operation, tx: Transaction, index: number): OpOutcome {
  const zero = xdr.Int64.fromString('0');
  switch (op.type) {
    case 'pathPaymentStrictReceive':
    case 'pathPaymentStrictSend': {
      const last = new xdr.SimplePaymentResult({
        destination: Keypair.fromPublicKey(baseAccountId(op.destination)).xdrAccountId(),
        asset: op.destAsset.toXDRObject(),
        amount: zero,
      });
      const Success =
        op.type === 'pathPaymentStrictReceive'
          ? xdr.PathPaymentStrictReceiveResultSuccess
          : xdr.PathPaymentStrictSendResultSuccess;
      return opSuccess(op.type, new Success({ offers: [], last }));
    }
    case 'accountMerge':
      return opSuccess('accountMerge', zero);
    case 'createClaimableBalance':
      return opSuccess(
        'createClaimableBalance',
        xdr.ClaimableBalanceId.fromXDR(tx.getClaimableBalanceId(index), 'hex'),
      );
    case 'createAccount':
    case 'payment':
    case 'changeTrust':
    case 'setOptions':
    case 'allowTrust':
    case 'setTrustLineFlags':
    case 'manageData':
    case 'bumpSequence':
    case 'claimClaimableBalance':
      return opSuccess(op.type);
    default:
      return opNotSupported();
  }
}

/** Validates a submission as stellar-core does before accepting it; null when it may enter a ledger. */
export function validate(view: EntrySource, p: ParsedTx, o: ValidationOptions): Rejection | null {
  const fee = feeCharged(p, o.baseFee);
  if (p.feeBump) {
    const outer = (arm: string): Rejection => ({
      resultCodes: { transaction: txCode(arm) },
      result: txResult(fee, plainResultBody(arm)),
    });
    const feeAcc = view.getAccount(p.feeSource);
    if (!feeAcc) return outer('txNoAccount');
    const sigs = new SignatureSet(p.feeBump.signatures, p.feeBump.hash(), p.sigCache, 'o');
    if (!sigs.authorizes(feeAcc, 'low')) return outer('txBadAuth');
    if (!sigs.allUsed()) return outer('txBadAuthExtra');
    if (p.maxFee < fee) return outer('txInsufficientFee');
    if (availableBalance(feeAcc, o.baseReserve) < p.maxFee) return outer('txInsufficientBalance');
    const inner = checkInner(view, p, o);
    if (!inner) return null;
    return {
      resultCodes: {
        transaction: 'tx_fee_bump_inner_failed',
        inner_transaction: txCode(inner.arm),
        ...(inner.ops ? { operations: inner.ops.map((x) => x.code) } : {}),
      },
      result: txResult(
        fee,
        feeBumpResultBody(
          Buffer.from(p.innerHash, 'hex'),
          inner.arm,
          inner.ops?.map((x) => x.result),
        ),
      ),
    };
  }
  const inner = checkInner(view, p, o);
  if (inner) {
    return {
      resultCodes: {
        transaction: txCode(inner.arm),
        ...(inner.ops ? { operations: inner.ops.map((x) => x.code) } : {}),
      },
      result: txResult(
        fee,
        plainResultBody(
          inner.arm,
          inner.ops?.map((x) => x.result),
        ),
      ),
    };
  }
  return null;
}

export interface AppliedTx {
  successful: boolean;
  fee: bigint;
  result: xdr.TransactionResult;
  ops: AppliedOp[];
}

/**
 * Charges the fee and consumes the sequence number in `ledgerView` (kept even when the transaction fails), then
 * applies the operations in a nested layer that is merged only if every operation succeeds.
 */
export function applyTransaction(
  ledgerView: LedgerView,
  p: ParsedTx,
  ctx: LedgerContext & { baseFee: bigint },
): AppliedTx {
  const fee = feeCharged(p, ctx.baseFee);
  const feeAcc = ledgerView.loadAccount(p.feeSource)!;
  const charged = fee < feeAcc.balance ? fee : feeAcc.balance;
  feeAcc.balance -= charged;
  feeAcc.lastModifiedLedger = ctx.seq;
  const tx = p.tx;
  const source = ledgerView.loadAccount(baseAccountId(tx.source))!;
  source.seq = BigInt(tx.sequence);
  source.seqLedger = ctx.seq;
  source.seqTime = ctx.closeTime;
  source.lastModifiedLedger = ctx.seq;

  const opsView = new LedgerView(ledgerView);
  const ops: AppliedOp[] = tx.operations.map((op, i) => {
    const opSource = op.source ?? tx.source;
    if (!opsView.getAccount(baseAccountId(opSource))) return opNoSourceAccount();
    return applyOperation(opsView, op, opSource, tx, i, ctx);
  });
  const successful = ops.every((o) => o.success);
  if (successful) opsView.mergeInto(ledgerView);
  const arm = successful ? 'txSuccess' : 'txFailed';
  const results = ops.map((o) => o.result);
  const body = p.feeBump
    ? feeBumpResultBody(Buffer.from(p.innerHash, 'hex'), arm, results)
    : plainResultBody(arm, results);
  return {
    successful,
    fee: charged,
    result: txResult(charged, body),
    ops,
  };
}

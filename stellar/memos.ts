import { Memo, type MemoType as SdkMemoType } from '@stellar/stellar-sdk';

/**
 * Memos as the SEPs carry them: `memo_type` text | id | hash, with a hash memo written in base64 (SEP-24
 * `withdraw_memo`, `deposit_memo`; Horizon's `memo` field for hash memos is base64 too).
 */
export type MemoType = 'text' | 'id' | 'hash';
export const MEMO_TYPES: readonly MemoType[] = ['text', 'id', 'hash'];

export interface MemoSpec {
  type: MemoType;
  /** text: ≤ 28 bytes UTF-8; id: unsigned 64-bit decimal; hash: 32 bytes, base64 (hex accepted on input). */
  value: string;
}

export class InvalidMemoError extends Error {
  readonly code = 'invalid_memo';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMemoError';
  }
}

const MAX_UINT64 = 18_446_744_073_709_551_615n;

const BASE64_HASH = /^[A-Za-z0-9+/]{43}=$/;

function invalid(type: MemoType): InvalidMemoError {
  const rule = {
    text: 'at most 28 bytes of text',
    id: 'an unsigned 64-bit integer',
    hash: 'the base64 of 32 bytes',
  };
  return new InvalidMemoError(`memo is not a valid ${type} memo: it must be ${rule[type]}`);
}

function hashBytes(value: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (BASE64_HASH.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length === 32) return bytes;
  }
  throw invalid('hash');
}

/** Checks a memo and returns its canonical form: id without leading zeros, hash as base64 (hex accepted). */
export function normalizeMemo(spec: MemoSpec): MemoSpec {
  switch (spec.type) {
    case 'text':
      if (Buffer.byteLength(spec.value, 'utf8') > 28) throw invalid('text');
      return { type: 'text', value: spec.value };
    case 'id': {
      if (!/^\d{1,20}$/.test(spec.value) || BigInt(spec.value) > MAX_UINT64) throw invalid('id');
      return { type: 'id', value: BigInt(spec.value).toString() };
    }
    case 'hash':
      return { type: 'hash', value: hashBytes(spec.value).toString('base64') };
    default:
      throw new InvalidMemoError(`unknown memo type ${String((spec as MemoSpec).type)}`);
  }
}

/**
 * THE parser of a SEP request's (`memo`, `memo_type`) pair (SEP-24 deposit memo, withdraw refund memo): both
 * absent is "no memo", a memo without a type is text, and a hash memo must be base64 as the SEPs write it (hex is
 * for internal callers of normalizeMemo only). Returns the canonical form; throws InvalidMemoError with a message
 * fit for a 400.
 */
export function parseMemo(
  memo: string | null | undefined,
  memoType: string | null | undefined,
): MemoSpec | null {
  if (!memo && !memoType) return null;
  if (!memo) throw new InvalidMemoError('memo_type was given without a memo');
  const type = (memoType || 'text') as MemoType;
  if (!MEMO_TYPES.includes(type)) throw new InvalidMemoError('memo_type must be one of text, id, hash');
  if (type === 'hash' && !BASE64_HASH.test(memo)) throw invalid('hash');
  return normalizeMemo({ type, value: memo });
}

/** The SDK memo for a transaction. */
export function toSdkMemo(spec: MemoSpec | null | undefined): Memo {
  if (!spec) return Memo.none();
  const m = normalizeMemo(spec);
  switch (m.type) {
    case 'text':
      return Memo.text(m.value);
    case 'id':
      return Memo.id(m.value);
    case 'hash':
      return Memo.hash(hashBytes(m.value).toString('hex'));
  }
}

/** Reads a built/decoded transaction's memo back into a MemoSpec (`return` memos are not ours: null). */
export function fromSdkMemo(memo: Memo<SdkMemoType>): MemoSpec | null {
  switch (memo.type) {
    case 'text': {
      const v = memo.value;
      return { type: 'text', value: Buffer.isBuffer(v) ? v.toString('utf8') : String(v) };
    }
    case 'id':
      return { type: 'id', value: String(memo.value) };
    case 'hash':
      return { type: 'hash', value: Buffer.from(memo.value as Buffer).toString('base64') };
    default:
      return null;
  }
}

export type HorizonMemoType = 'none' | 'text' | 'id' | 'hash' | 'return';

/** A memo as read from a Horizon transaction record (`memo_type`, `memo`). */
export function fromHorizonMemo(memoType: string | undefined, memo: string | undefined): MemoSpec | null {
  if (!memoType || memoType === 'none' || memoType === 'return' || memo === undefined) return null;
  if (memoType === 'text' || memoType === 'id' || memoType === 'hash') {
    try {
      return normalizeMemo({ type: memoType, value: memo });
    } catch {
      // A text memo Horizon could not decode as UTF-8 is still a memo, just one nobody can match.
      return memoType === 'text' ? { type: 'text', value: memo } : null;
    }
  }
  return null;
}

/** True when two memos name the same value (hash compared as bytes, id as a number). */
export function sameMemo(a: MemoSpec | null | undefined, b: MemoSpec | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  if (a.type !== b.type) return false;
  try {
    return normalizeMemo(a).value === normalizeMemo(b).value;
  } catch {
    return false;
  }
}

import { xdr } from '@stellar/stellar-sdk';

/**
 * Result XDR and Horizon's result code strings. Codes are derived from the XDR arm names the same way Horizon
 * names them (`paymentSrcNoTrust` → `op_src_no_trust`), with Horizon's few irregular names listed below.
 */

const OP_CODE_OVERRIDES: Record<string, string> = {
  AlreadyExist: 'op_already_exists',
  OverSendmax: 'op_over_source_max',
  UnderDestmin: 'op_under_dest_min',
  NameNotFound: 'op_data_name_not_found',
  InvalidName: 'op_data_invalid_name',
};

const TX_CODE_OVERRIDES: Record<string, string> = {
  txNoAccount: 'tx_no_source_account',
};

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/^_/, '');
}

export type OpType = string;

export interface OpOutcome {
  result: xdr.OperationResult;
  /** Horizon's code, e.g. op_success, op_underfunded */
  code: string;
  success: boolean;
}

function resultClass(opType: OpType): any {
  const name = `${opType[0]!.toUpperCase()}${opType.slice(1)}Result`;
  const cls = (xdr as any)[name === 'BumpSequenceResult' ? 'BumpSequenceResult' : name];
  if (!cls) throw new Error(`no result type for ${opType}`);
  return cls;
}

/** The operation's inner result: `opFailure('payment', 'Underfunded')`. */
export function opFailure(opType: OpType, suffix: string, value?: unknown): OpOutcome {
  const cls = resultClass(opType);
  const armName = `${opType}${suffix}`;
  const builder = cls[armName];
  if (typeof builder !== 'function') throw new Error(`no result arm ${armName}`);
  return {
    result: xdr.OperationResult.opInner((xdr.OperationResultTr as any)[opType](builder(value))),
    code: OP_CODE_OVERRIDES[suffix] ?? `op_${snake(suffix)}`,
    success: false,
  };
}

export function opSuccess(opType: OpType, value?: unknown): OpOutcome {
  const cls = resultClass(opType);
  return {
    result: xdr.OperationResult.opInner(
      (xdr.OperationResultTr as any)[opType](cls[`${opType}Success`](value)),
    ),
    code: 'op_success',
    success: true,
  };
}

export const opNoSourceAccount = (): OpOutcome => ({
  result: xdr.OperationResult.opNoAccount(),
  code: 'op_no_source_account',
  success: false,
});
export const opBadAuth = (): OpOutcome => ({
  result: xdr.OperationResult.opBadAuth(),
  code: 'op_bad_auth',
  success: false,
});
export const opNotSupported = (): OpOutcome => ({
  result: xdr.OperationResult.opNotSupported(),
  code: 'op_not_supported',
  success: false,
});

export function txCode(arm: string): string {
  return TX_CODE_OVERRIDES[arm] ?? snake(arm);
}

function int64(v: bigint) {
  return xdr.Int64.fromString(v.toString());
}

export function txResult(feeCharged: bigint, result: xdr.TransactionResultResult): xdr.TransactionResult {
  return new xdr.TransactionResult({
    feeCharged: int64(feeCharged),
    result,
    ext: new xdr.TransactionResultExt(0),
  });
}

/** A plain (non fee-bump) result: txSuccess/txFailed carry operation results, other codes carry nothing. */
export function plainResultBody(arm: string, ops?: xdr.OperationResult[]): xdr.TransactionResultResult {
  const builder = (xdr.TransactionResultResult as any)[arm];
  return arm === 'txSuccess' || arm === 'txFailed' ? builder(ops ?? []) : builder();
}

export function feeBumpResultBody(
  innerHash: Buffer,
  innerArm: string,
  ops: xdr.OperationResult[] | undefined,
): xdr.TransactionResultResult {
  const innerBuilder = (xdr.InnerTransactionResultResult as any)[innerArm];
  const inner = new xdr.InnerTransactionResult({
    feeCharged: int64(0n),
    result: innerArm === 'txSuccess' || innerArm === 'txFailed' ? innerBuilder(ops ?? []) : innerBuilder(),
    ext: new xdr.InnerTransactionResultExt(0),
  });
  const pair = new xdr.InnerTransactionResultPair({ transactionHash: innerHash, result: inner });
  return innerArm === 'txSuccess'
    ? xdr.TransactionResultResult.txFeeBumpInnerSuccess(pair)
    : xdr.TransactionResultResult.txFeeBumpInnerFailed(pair);
}

/** Horizon's result_codes for a stored result (used when a resubmission answers with an earlier result). */
export function resultCodesFromXdr(b64: string): {
  transaction: string;
  inner_transaction?: string;
  operations?: string[];
} {
  const result = xdr.TransactionResult.fromXDR(b64, 'base64').result();
  const arm = result.switch().name;
  const opCodes = (ops: xdr.OperationResult[]) => ops.map(opCodeOf);
  if (arm === 'txFeeBumpInnerSuccess' || arm === 'txFeeBumpInnerFailed') {
    const inner = (result.value() as xdr.InnerTransactionResultPair).result().result();
    const innerArm = inner.switch().name;
    const ops =
      innerArm === 'txSuccess' || innerArm === 'txFailed'
        ? (inner.value() as xdr.OperationResult[])
        : undefined;
    return {
      transaction: txCode(arm),
      inner_transaction: txCode(innerArm),
      ...(ops ? { operations: opCodes(ops) } : {}),
    };
  }
  const ops =
    arm === 'txSuccess' || arm === 'txFailed' ? (result.value() as xdr.OperationResult[]) : undefined;
  return { transaction: txCode(arm), ...(ops ? { operations: opCodes(ops) } : {}) };
}

function opCodeOf(r: xdr.OperationResult): string {
  const outer = r.switch().name;
  if (outer !== 'opInner') {
    const named: Record<string, string> = {
      opBadAuth: 'op_bad_auth',
      opNoAccount: 'op_no_source_account',
      opNotSupported: 'op_not_supported',
    };
    return named[outer] ?? snake(outer);
  }
  const tr = r.value() as xdr.OperationResultTr;
  const opType = tr.switch().name;
  const arm = (tr.value() as { switch(): { name: string } }).switch().name;
  const suffix = arm.startsWith(opType) ? arm.slice(opType.length) : arm;
  if (suffix === 'Success') return 'op_success';
  return OP_CODE_OVERRIDES[suffix] ?? `op_${snake(suffix)}`;
}

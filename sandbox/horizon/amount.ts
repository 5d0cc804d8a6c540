/**
 * Amounts inside the ledger are bigint stroops; at the wire they are Horizon's "x.xxxxxxx" strings.
 *
 * Deliberately NOT stellar/money.ts: this simulates Horizon/stellar-core, a system outside the anchor, with
 * their rules (signed amounts in ledger arithmetic, int64 overflow surfacing as an operation result code, not a
 * thrown InvalidAmountError). Sharing the anchor's parser would let an anchor-side change alter the simulated
 * network, and the tests that use this Horizon could no longer catch the anchor disagreeing with it.
 */
export const STROOPS_PER_UNIT = 10_000_000n;
export const MAX_INT64 = 9_223_372_036_854_775_807n;

export function toStroops(amount: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,7}))?$/.exec(amount.trim());
  if (!m) throw new Error(`invalid amount: ${amount}`);
  const units = BigInt(m[2]!) * STROOPS_PER_UNIT + BigInt((m[3] ?? '').padEnd(7, '0') || '0');
  return m[1] === '-' ? -units : units;
}

/** Horizon always renders seven decimals: "10.0000000". */
export function fromStroops(stroops: bigint): string {
  const neg = stroops < 0n;
  const abs = neg ? -stroops : stroops;
  const whole = abs / STROOPS_PER_UNIT;
  const frac = (abs % STROOPS_PER_UNIT).toString().padStart(7, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

import { Keypair, Memo } from '@stellar/stellar-sdk';
import { describe, expect, it } from 'vitest';
import { assetId, fromHorizonAsset, NATIVE, sameAsset, toSdkAsset } from '../../stellar/assets.js';
import { type IncomingPayment, matchPayment, type PendingWithdrawal } from '../../stellar/matching.js';
import {
  fromHorizonMemo,
  fromSdkMemo,
  normalizeMemo,
  parseMemo,
  sameMemo,
  toSdkMemo,
} from '../../stellar/memos.js';
import {
  canonicalAmount,
  compareAmounts,
  formatFixed7,
  isAmount,
  parseAmount,
  sumAmounts,
} from '../../stellar/money.js';
import {
  baseAccountId,
  isMuxedAddress,
  muxedAddress,
  parseDestination,
  parseMuxedAddress,
} from '../../stellar/muxed.js';

const G = Keypair.random().publicKey();
const ISSUER = Keypair.random().publicKey();
const USDC = { code: 'USDC', issuer: ISSUER };

describe('amounts: strings with 7 decimals or bigint stroops, never JS numbers', () => {
  it('converts between decimal strings and stroops exactly', () => {
    expect(parseAmount('0.0000001')).toBe(1n);
    expect(parseAmount('12.5')).toBe(125_000_000n);
    expect(parseAmount('922337203685.4775807')).toBe(9_223_372_036_854_775_807n);
    expect(formatFixed7(125_000_000n)).toBe('12.5000000');
    expect(formatFixed7(1n)).toBe('0.0000001');
    expect(formatFixed7(parseAmount('1'))).toBe('1.0000000');
    expect(canonicalAmount('2.5000000')).toBe('2.5');
    expect(canonicalAmount('2.0000000')).toBe('2');
    // The float trap: 0.1 + 0.2 is exact here.
    expect(formatFixed7(sumAmounts(['0.1', '0.2']))).toBe('0.3000000');
  });

  it('rejects more than 7 places, negatives, exponents, overflow and non-strings', () => {
    for (const bad of ['0.00000001', '-1', '1e3', '', '.5', '1.', ' 1', '922337203685.4775808', 'NaN']) {
      expect(isAmount(bad), bad).toBe(false);
      expect(() => parseAmount(bad), bad).toThrow(/not a Stellar amount/);
    }
    expect(isAmount(1 as unknown)).toBe(false);
  });

  it('compares by value, not by spelling', () => {
    expect(compareAmounts('1.50', '1.5000000')).toBe(0);
    expect(compareAmounts('1.4999999', '1.5')).toBe(-1);
    expect(compareAmounts('10', '9.9999999')).toBe(1);
  });
});

describe('memos (text / id / hash) as SEP-24 carries them', () => {
  const hashHex = 'ab'.repeat(32);
  const hashB64 = Buffer.from(hashHex, 'hex').toString('base64');

  it('builds SDK memos and reads them back', () => {
    expect(fromSdkMemo(toSdkMemo({ type: 'text', value: 'hello' }))).toEqual({
      type: 'text',
      value: 'hello',
    });
    expect(fromSdkMemo(toSdkMemo({ type: 'id', value: '18446744073709551615' }))).toEqual({
      type: 'id',
      value: '18446744073709551615',
    });
    expect(fromSdkMemo(toSdkMemo({ type: 'hash', value: hashB64 }))).toEqual({
      type: 'hash',
      value: hashB64,
    });
    expect(fromSdkMemo(toSdkMemo({ type: 'hash', value: hashHex }))).toEqual({
      type: 'hash',
      value: hashB64,
    });
    expect(toSdkMemo(null).type).toBe('none');
    expect(fromSdkMemo(Memo.return(hashHex))).toBeNull();
  });

  it('rejects oversized text, non-uint64 ids and hashes that are not 32 bytes', () => {
    expect(() => normalizeMemo({ type: 'text', value: 'x'.repeat(29) })).toThrow(/28 bytes/);
    expect(() => normalizeMemo({ type: 'text', value: 'é'.repeat(15) })).toThrow(/28 bytes/); // 30 bytes
    expect(() => normalizeMemo({ type: 'id', value: '18446744073709551616' })).toThrow(/64-bit/);
    expect(() => normalizeMemo({ type: 'id', value: '-1' })).toThrow(/64-bit/);
    expect(() => normalizeMemo({ type: 'hash', value: 'abcd' })).toThrow(/32 bytes/);
    expect(() => parseMemo(null, 'id')).toThrow(/without a memo/);
    expect(() => parseMemo('1', 'return')).toThrow(/one of text, id, hash/);
    expect(parseMemo(undefined, undefined)).toBeNull();
    expect(parseMemo('007', 'id')).toEqual({ type: 'id', value: '7' });
  });

  it('reads Horizon memo fields and compares memos by value', () => {
    expect(fromHorizonMemo('none', undefined)).toBeNull();
    expect(fromHorizonMemo('return', hashB64)).toBeNull();
    expect(fromHorizonMemo('hash', hashB64)).toEqual({ type: 'hash', value: hashB64 });
    expect(sameMemo({ type: 'hash', value: hashHex }, { type: 'hash', value: hashB64 })).toBe(true);
    expect(sameMemo({ type: 'id', value: '42' }, { type: 'id', value: '042' })).toBe(true);
    expect(sameMemo({ type: 'id', value: '42' }, { type: 'text', value: '42' })).toBe(false);
    expect(sameMemo(null, undefined)).toBe(true);
  });
});

describe('muxed accounts', () => {
  it('round-trips G + id ↔ M...', () => {
    const m = muxedAddress(G, '9007199254740993'); // beyond Number.MAX_SAFE_INTEGER: must stay exact
    expect(isMuxedAddress(m)).toBe(true);
    expect(parseMuxedAddress(m)).toEqual({ account: G, id: '9007199254740993' });
    expect(parseDestination(m)).toEqual({ account: G, muxedId: '9007199254740993', address: m });
    expect(parseDestination(G)).toEqual({ account: G, muxedId: null, address: G });
    expect(() => parseDestination('GNOPE')).toThrow();
  });

  it('baseAccountId is the one M→G conversion: M... → its G..., G... and C... unchanged', () => {
    expect(baseAccountId(muxedAddress(G, '42'))).toBe(G);
    expect(baseAccountId(G)).toBe(G);
    const contract = 'CA3D5KRYM6CB7OWQ6TWYRR3Z4T7GNZLKERYNZGGA5SOAOPIFY6YQGAXE';
    expect(baseAccountId(contract)).toBe(contract);
  });
});

describe('assets', () => {
  it('maps to SDK assets and Horizon records', () => {
    expect(toSdkAsset(USDC).getCode()).toBe('USDC');
    expect(toSdkAsset(NATIVE).isNative()).toBe(true);
    expect(
      fromHorizonAsset({ asset_type: 'credit_alphanum4', asset_code: 'USDC', asset_issuer: ISSUER }),
    ).toEqual(USDC);
    expect(fromHorizonAsset({ source_asset_type: 'native' }, 'source_')).toEqual(NATIVE);
    expect(sameAsset(USDC, { code: 'USDC', issuer: G })).toBe(false);
    expect(assetId(USDC)).toBe(`stellar:USDC:${ISSUER}`);
  });
});

describe('matching an incoming payment to a pending withdrawal (S24-21, S24-22)', () => {
  const hashB64 = Buffer.alloc(32, 7).toString('base64');
  const muxed = muxedAddress(G, '77');
  const pending: PendingWithdrawal[] = [
    { id: 'w-text', withdrawAnchorAccount: G, memo: 'W123', memoType: 'text', asset: USDC, amount: '10' },
    { id: 'w-id', withdrawAnchorAccount: G, memo: '5', memoType: 'id', asset: USDC, amount: '10' },
    { id: 'w-hash', withdrawAnchorAccount: G, memo: hashB64, memoType: 'hash', asset: USDC, amount: null },
    { id: 'w-muxed', withdrawAnchorAccount: muxed, memo: null, memoType: null, asset: USDC, amount: '3' },
  ];
  const pay = (p: Partial<IncomingPayment>): IncomingPayment => ({
    to: G,
    toMuxed: null,
    toMuxedId: null,
    asset: USDC,
    amount: '10.0000000',
    memo: null,
    ...p,
  });
  const idOf = (r: ReturnType<typeof matchPayment>) => (r.matched ? r.withdrawal.id : r.reason);

  it('matches by text, id and hash memo and by muxed address', () => {
    expect(idOf(matchPayment(pay({ memo: { type: 'text', value: 'W123' } }), pending))).toBe('w-text');
    expect(idOf(matchPayment(pay({ memo: { type: 'id', value: '5' } }), pending))).toBe('w-id');
    expect(idOf(matchPayment(pay({ memo: { type: 'hash', value: hashB64 } }), pending))).toBe('w-hash');
    expect(idOf(matchPayment(pay({ toMuxed: muxed, toMuxedId: '77', amount: '3' }), pending))).toBe(
      'w-muxed',
    );
    // a muxed id stands for an id memo on the base account
    const viaMuxedId = pay({ toMuxed: muxedAddress(G, '5'), toMuxedId: '5' });
    expect(idOf(matchPayment(viaMuxedId, pending))).toBe('w-id');
  });

  it('does not match a wrong memo, a memo of the wrong type, another account, or no memo at all', () => {
    expect(idOf(matchPayment(pay({ memo: { type: 'text', value: 'W124' } }), pending))).toBe('no_match');
    expect(idOf(matchPayment(pay({ memo: { type: 'text', value: '5' } }), pending))).toBe('no_match');
    const other = Keypair.random().publicKey();
    expect(idOf(matchPayment(pay({ to: other, memo: { type: 'text', value: 'W123' } }), pending))).toBe(
      'no_match',
    );
    expect(idOf(matchPayment(pay({}), pending))).toBe('no_reference');
  });

  it('flags a matched payment with the wrong amount or asset instead of dropping it', () => {
    const short = matchPayment(pay({ memo: { type: 'text', value: 'W123' }, amount: '9.9999999' }), pending);
    expect(short).toMatchObject({ matched: true, mismatch: 'amount' });
    const xlm = matchPayment(pay({ memo: { type: 'text', value: 'W123' }, asset: NATIVE }), pending);
    expect(xlm).toMatchObject({ matched: true, mismatch: 'asset' });
    const any = matchPayment(pay({ memo: { type: 'hash', value: hashB64 }, amount: '123' }), pending);
    expect(any).toMatchObject({ matched: true, mismatch: null });
  });

  it('refuses to guess when two pending withdrawals share a memo', () => {
    const dup = [...pending, { ...pending[0]!, id: 'w-text-2' }];
    expect(idOf(matchPayment(pay({ memo: { type: 'text', value: 'W123' } }), dup))).toBe('ambiguous');
  });
});

/** Pure pieces of the sandbox Horizon: amounts, TOIDs, fixed path rates and Horizon's result code names. */
import { xdr } from '@stellar/stellar-sdk';
import { describe, expect, it } from 'vitest';
import { fromStroops, toStroops } from '../../sandbox/horizon/amount.js';
import { rateFunction } from '../../sandbox/horizon/index.js';
import { toid } from '../../sandbox/horizon/records.js';
import {
  feeBumpResultBody,
  opFailure,
  opSuccess,
  resultCodesFromXdr,
  txResult,
} from '../../sandbox/horizon/results.js';

describe('sandbox Horizon pure helpers', () => {
  it('amounts: strings with 7 decimals ↔ bigint stroops, never a float', () => {
    expect(toStroops('0.0000001')).toBe(1n);
    expect(toStroops('922337203685.4775807')).toBe(9_223_372_036_854_775_807n);
    expect(toStroops('10')).toBe(100_000_000n);
    expect(fromStroops(123_456_789n)).toBe('12.3456789');
    expect(fromStroops(5n)).toBe('0.0000005');
    expect(() => toStroops('1.00000001')).toThrow();
    expect(() => toStroops('1e5')).toThrow();
  });

  it('TOIDs are ledger << 32 | order << 12 | index, unique and increasing', () => {
    expect(toid(3, 1, 0)).toBe((3n << 32n) | (1n << 12n));
    const ids = [toid(2, 1, 1), toid(2, 1, 2), toid(2, 2, 1), toid(3, 1, 1)];
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(toid(2, 4095, 4095)).toBeLessThan(toid(3, 0, 0));
  });

  it('path rates: configured pairs, their inverse, the default, and 0 meaning no path', () => {
    const rate = rateFunction('1', { 'native>USD:GX': '0.5', 'EUR:GY>USD:GX': '0' });
    expect(rate('native', 'USD:GX')).toBe(5_000_000n);
    expect(rate('USD:GX', 'native')).toBe(20_000_000n);
    expect(rate('native', 'EUR:GY')).toBe(10_000_000n);
    expect(rate('EUR:GY', 'USD:GX')).toBeUndefined();
  });

  it('result codes use Horizon names and survive an XDR round trip', () => {
    const failed = opFailure('payment', 'Underfunded');
    expect(failed.code).toBe('op_underfunded');
    expect(opFailure('createAccount', 'AlreadyExist').code).toBe('op_already_exists');
    expect(opFailure('pathPaymentStrictReceive', 'OverSendmax').code).toBe('op_over_source_max');
    expect(opFailure('manageData', 'NameNotFound').code).toBe('op_data_name_not_found');
    const plain = txResult(
      100n,
      xdr.TransactionResultResult.txFailed([opSuccess('changeTrust').result, failed.result]),
    );
    expect(resultCodesFromXdr(plain.toXDR('base64'))).toEqual({
      transaction: 'tx_failed',
      operations: ['op_success', 'op_underfunded'],
    });
    const bump = txResult(200n, feeBumpResultBody(Buffer.alloc(32), 'txFailed', [failed.result]));
    expect(resultCodesFromXdr(bump.toXDR('base64'))).toEqual({
      transaction: 'tx_fee_bump_inner_failed',
      inner_transaction: 'tx_failed',
      operations: ['op_underfunded'],
    });
    expect(
      resultCodesFromXdr(txResult(0n, xdr.TransactionResultResult.txNoAccount()).toXDR('base64')),
    ).toEqual({
      transaction: 'tx_no_source_account',
    });
  });
});

import { Asset, Keypair, Operation } from '@stellar/stellar-sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toSep24Transaction } from '../../core/transactions/serialize.js';
import type { TransactionRow } from '../../db/schema.js';
import { computeFee } from '../../stellar/fees.js';
import { formatFixed7, formatTrimmed, MAX_STROOPS, parseAmount } from '../../stellar/money.js';
import { testConfig } from '../helpers/config.js';
import { transactionRow } from '../helpers/transactions.js';

/**
 * The amount format each wire requires, pinned: SEP-24 transaction objects carry amounts as strings (S24-27),
 * Horizon and the SDK's payment operations use 7-place strings. (/info's JSON numbers, X-13, are pinned by
 * test/api/sep24.happy.test.ts and the toWireNumber property in money.test.ts.)
 */
describe('amounts on the wire', () => {
  const config = testConfig();
  const user = Keypair.random().publicKey();

  it('S24-27: SEP-24 transaction amounts are decimal strings in the shortest form, whatever Postgres returns', () => {
    // numeric(30,7) columns come back with 7 places (test/unit/migrations.test.ts).
    const row = {
      ...transactionRow({
        id: 'tx-1',
        kind: 'deposit',
        status: 'completed',
        sub: user,
        sub_account: user,
        asset_code: config.stellar.assetCode,
        stellar_account: user,
        amount_in: '100.5000000',
        amount_fee: '0.2500000',
        amount_out: '100.2500000',
      }),
      started_at: new Date('2026-01-01T00:00:00Z'),
      updated_at: new Date('2026-01-01T00:00:00Z'),
    } as TransactionRow;
    const tx = toSep24Transaction(config, row);
    expect(tx).toMatchObject({
      amount_in: '100.5',
      amount_fee: '0.25',
      amount_out: '100.25',
      fee_details: { total: '0.25' },
    });
    const wire = JSON.parse(JSON.stringify(tx));
    for (const key of ['amount_in', 'amount_fee', 'amount_out']) expect(typeof wire[key]).toBe('string');
  });

  it('S24-06: fee quotes are in the same string form', () => {
    expect(computeFee('250.5000000', { feeFixed: '1', feePercent: '1', feeMinimum: '0' })).toMatchObject({
      amountIn: '250.5',
      amountFee: '3.505',
      amountOut: '246.995',
    });
  });

  it('payments: formatFixed7 is exactly what the SDK and Horizon write for a payment amount', () => {
    const destination = Keypair.random().publicKey();
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_STROOPS }), (stroops) => {
        const op = Operation.payment({ destination, asset: Asset.native(), amount: formatFixed7(stroops) });
        const decoded = Operation.fromXDRObject(op) as Operation.Payment;
        expect(decoded.amount).toBe(formatFixed7(stroops));
        expect(parseAmount(decoded.amount)).toBe(stroops);
      }),
      { numRuns: 200 },
    );
    // The trimmed SEP form is accepted as input but is not what comes back.
    const op = Operation.fromXDRObject(
      Operation.payment({ destination, asset: Asset.native(), amount: formatTrimmed(125_000_000n) }),
    ) as Operation.Payment;
    expect(op.amount).toBe('12.5000000');
  });
});

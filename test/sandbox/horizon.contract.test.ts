/**
 * Contract of the sandbox Horizon: every call goes through `@stellar/stellar-sdk` exactly as the anchor makes
 * it against testnet, so what passes here works against the real network too.
 */
import {
  Asset,
  BASE_FEE,
  Claimant,
  Horizon,
  Keypair,
  Memo,
  MuxedAccount,
  Networks,
  Operation,
  TransactionBuilder,
  xdr,
} from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toStroops } from '../../sandbox/horizon/amount.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';

let h: SandboxHorizonHandle;
let server: Horizon.Server;

const issuer = Keypair.random();
const distributor = Keypair.random();
const alice = Keypair.random();
let USD: Asset;

async function build(source: Keypair, ops: xdr.Operation[], opts: { memo?: Memo; fee?: string } = {}) {
  const account = await server.loadAccount(source.publicKey());
  const b = new TransactionBuilder(account, { fee: opts.fee ?? BASE_FEE, networkPassphrase: h.passphrase });
  for (const op of ops) b.addOperation(op);
  if (opts.memo) b.addMemo(opts.memo);
  return b.setTimeout(60).build();
}

async function submit(source: Keypair, ops: xdr.Operation[], signers: Keypair[] = [source], opts = {}) {
  const tx = await build(source, ops, opts);
  tx.sign(...signers);
  return server.submitTransaction(tx);
}

/** The Horizon error body the SDK raises on a failed submission. */
async function failure(
  p: Promise<unknown>,
): Promise<{ transaction: string; operations?: string[]; inner_transaction?: string }> {
  try {
    await p;
  } catch (err: any) {
    expect(err?.response?.status).toBe(400);
    expect(err.response.data.type).toBe('https://stellar.org/horizon-errors/transaction_failed');
    expect(typeof err.response.data.extras.result_xdr).toBe('string');
    // the result XDR decodes with the SDK's own classes
    xdr.TransactionResult.fromXDR(err.response.data.extras.result_xdr, 'base64');
    return err.response.data.extras.result_codes;
  }
  throw new Error('expected the submission to fail');
}

function balanceOf(acc: Horizon.AccountResponse, asset: Asset): string | undefined {
  const line = acc.balances.find((b) =>
    asset.isNative()
      ? b.asset_type === 'native'
      : 'asset_code' in b && b.asset_code === asset.getCode() && b.asset_issuer === asset.getIssuer(),
  );
  return line?.balance;
}

beforeAll(async () => {
  // 1 XLM buys 0.5 USD (and, inversely, 1 USD buys 2 XLM); every other pair converts 1:1
  h = await startSandboxHorizon({ pathPaymentRates: { [`native>USD:${issuer.publicKey()}`]: '0.5' } });
  server = h.server;
  USD = new Asset('USD', issuer.publicKey());
  await Promise.all([issuer, distributor, alice].map((k) => h.friendbot(k.publicKey())));
});

afterAll(async () => {
  await h?.stop();
});

describe('sandbox Horizon contract (SDK as the only client)', () => {
  it('serves the root, fee stats and the latest ledger the SDK reads', async () => {
    const root = await (await fetch(`${h.url}/`)).json();
    expect(root.network_passphrase).toBe(Networks.TESTNET);
    expect(root.history_latest_ledger).toBeGreaterThan(1);
    expect(await server.fetchBaseFee()).toBe(100);
    const bounds = await server.fetchTimebounds(30);
    expect(bounds.maxTime).toBeGreaterThan(Date.now() / 1000);
    const latest = await server.ledgers().order('desc').limit(1).call();
    expect(latest.records[0]!.sequence).toBeGreaterThanOrEqual(root.history_latest_ledger);
    const one = await server.ledgers().ledger(latest.records[0]!.sequence).call();
    expect((one as any).hash).toBe(latest.records[0]!.hash);
  });

  it('friendbot funds a new account; loadAccount shows balance, sequence = ledger << 32, thresholds, signers', async () => {
    const acc = await server.loadAccount(alice.publicKey());
    expect(balanceOf(acc, Asset.native())).toBe('10000.0000000');
    expect(BigInt(acc.sequence) % 2n ** 32n).toBe(0n);
    expect(BigInt(acc.sequence) >> 32n).toBeGreaterThan(1n);
    expect(acc.thresholds).toEqual({ low_threshold: 0, med_threshold: 0, high_threshold: 0 });
    expect(acc.signers).toEqual([{ key: alice.publicKey(), weight: 1, type: 'ed25519_public_key' }]);
    expect(acc.subentry_count).toBe(0);
    const again = await fetch(`${h.url}/friendbot?addr=${alice.publicKey()}`);
    expect(again.status).toBe(400);
    expect((await again.json()).extras.result_codes.operations).toEqual(['op_already_exists']);
  });

  it('unknown account → 404 not_found problem, as the SDK expects', async () => {
    const err = await server.loadAccount(Keypair.random().publicKey()).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    // the SDK's NotFoundError carries the problem body
    expect(err.response).toMatchObject({ status: 404, type: 'https://stellar.org/horizon-errors/not_found' });
  });

  it('createAccount, changeTrust, issuer payment and read back (balances, trust line, tx memo)', async () => {
    const bob = Keypair.random();
    const created = await submit(
      alice,
      [Operation.createAccount({ destination: bob.publicKey(), startingBalance: '25.5' })],
      [alice],
      {
        memo: Memo.text('hello'),
      },
    );
    expect(created.successful).toBe(true);
    expect(created.ledger).toBeGreaterThan(1);
    const tx = await server.transactions().transaction(created.hash).call();
    expect(tx.memo).toBe('hello');
    expect(tx.memo_type).toBe('text');
    expect(tx.successful).toBe(true);
    expect(tx.fee_charged).toBe('100');

    await submit(distributor, [Operation.changeTrust({ asset: USD })]);
    const pay = await submit(issuer, [
      Operation.payment({ destination: distributor.publicKey(), asset: USD, amount: '1000' }),
    ]);
    expect(pay.successful).toBe(true);
    const acc = await server.loadAccount(distributor.publicKey());
    expect(balanceOf(acc, USD)).toBe('1000.0000000');
    const line = acc.balances.find(
      (b) => b.asset_type === 'credit_alphanum4',
    ) as Horizon.HorizonApi.BalanceLineAsset;
    expect(line.limit).toBe('922337203685.4775807');
    expect(line.is_authorized).toBe(true);
    expect(acc.subentry_count).toBe(1);
    expect(balanceOf(await server.loadAccount(bob.publicKey()), Asset.native())).toBe('25.5000000');
  });

  it('payments list and paging: records, types, cursor/next, join=transactions with memo', async () => {
    const carol = Keypair.random();
    await h.friendbot(carol.publicKey());
    await submit(
      alice,
      [Operation.payment({ destination: carol.publicKey(), asset: Asset.native(), amount: '1.5' })],
      [alice],
      {
        memo: Memo.id('42'),
      },
    );
    await submit(alice, [
      Operation.payment({ destination: carol.publicKey(), asset: Asset.native(), amount: '2' }),
    ]);
    const page1 = await server.payments().forAccount(carol.publicKey()).limit(2).call();
    expect(page1.records.map((r) => r.type)).toEqual(['create_account', 'payment']);
    const page2 = await page1.next();
    expect(page2.records).toHaveLength(1);
    const p = page2.records[0] as Horizon.ServerApi.PaymentOperationRecord;
    expect(p).toMatchObject({
      type: 'payment',
      from: alice.publicKey(),
      to: carol.publicKey(),
      amount: '2.0000000',
      asset_type: 'native',
    });
    expect(BigInt(p.paging_token)).toBeGreaterThan(BigInt(page1.records[1]!.paging_token));
    const desc = await server
      .payments()
      .forAccount(carol.publicKey())
      .order('desc')
      .join('transactions')
      .call();
    expect(desc.records.map((r) => r.paging_token)).toEqual(
      [...page1.records, ...page2.records].map((r) => r.paging_token).reverse(),
    );
    // the SDK turns an embedded (joined) record into a function resolving to it
    const joined = await (desc.records[1] as any).transaction();
    expect(joined.memo).toBe('42');
    expect(joined.memo_type).toBe('id');
    const viaLink = await (desc.records[0] as any).transaction();
    expect(viaLink.hash).toBe(desc.records[0]!.transaction_hash);
    const all = await server.payments().order('desc').limit(200).call();
    const ids = all.records.map((r) => BigInt(r.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('muxed accounts: M... destination shows to_muxed/to_muxed_id; an M... transaction source pays from its base account (S24-23)', async () => {
    const m = new MuxedAccount(await server.loadAccount(alice.publicKey()), '99');
    const res = await submit(distributor, [
      Operation.payment({ destination: m.accountId(), asset: Asset.native(), amount: '3' }),
    ]);
    const page = await server.payments().forTransaction(res.hash).call();
    const rec = page.records[0] as Horizon.ServerApi.PaymentOperationRecord & Record<string, unknown>;
    expect(rec.to).toBe(alice.publicKey());
    expect(rec.to_muxed).toBe(m.accountId());
    expect(rec.to_muxed_id).toBe('99');

    const muxedSource = new MuxedAccount(await server.loadAccount(distributor.publicKey()), '7');
    const tx = new TransactionBuilder(muxedSource, { fee: BASE_FEE, networkPassphrase: h.passphrase })
      .addOperation(Operation.payment({ destination: alice.publicKey(), asset: Asset.native(), amount: '1' }))
      .setTimeout(60)
      .build();
    tx.sign(distributor);
    const sent = await server.submitTransaction(tx);
    const record = await server.transactions().transaction(sent.hash).call();
    expect(record.source_account).toBe(distributor.publicKey());
    expect((record as unknown as Record<string, unknown>).account_muxed).toBe(muxedSource.accountId());
    const op = (await server.payments().forTransaction(sent.hash).call()).records[0] as unknown as Record<
      string,
      unknown
    >;
    expect(op).toMatchObject({
      from: distributor.publicKey(),
      from_muxed: muxedSource.accountId(),
      from_muxed_id: '7',
    });
  });

  it('path payments at the configured rate (strict send and strict receive, both directions; S24-22)', async () => {
    const dave = Keypair.random();
    await h.friendbot(dave.publicKey());
    await submit(dave, [Operation.changeTrust({ asset: USD })]);
    const send = await submit(alice, [
      Operation.pathPaymentStrictSend({
        sendAsset: Asset.native(),
        sendAmount: '10',
        destination: dave.publicKey(),
        destAsset: USD,
        destMin: '4.9',
        path: [],
      }),
    ]);
    expect(send.successful).toBe(true);
    const recv = await submit(alice, [
      Operation.pathPaymentStrictReceive({
        sendAsset: Asset.native(),
        sendMax: '10.5',
        destination: dave.publicKey(),
        destAsset: USD,
        destAmount: '5',
        path: [],
      }),
    ]);
    expect(recv.successful).toBe(true);
    expect(balanceOf(await server.loadAccount(dave.publicKey()), USD)).toBe('10.0000000');
    const page = await server.payments().forAccount(dave.publicKey()).order('desc').limit(2).call();
    expect(page.records.map((r) => r.type)).toEqual([
      'path_payment_strict_receive',
      'path_payment_strict_send',
    ]);
    expect(page.records[0]).toMatchObject({
      amount: '5.0000000',
      source_amount: '10.0000000',
      source_max: '10.5000000',
      source_asset_type: 'native',
      asset_code: 'USD',
    });
    expect(page.records[1]).toMatchObject({ amount: '5.0000000', source_amount: '10.0000000' });
    // the reverse pair uses the inverse rate: 1 USD → 2 XLM
    const before = balanceOf(await server.loadAccount(alice.publicKey()), Asset.native())!;
    await submit(dave, [
      Operation.pathPaymentStrictSend({
        sendAsset: USD,
        sendAmount: '1',
        destination: alice.publicKey(),
        destAsset: Asset.native(),
        destMin: '2',
        path: [],
      }),
    ]);
    const after = balanceOf(await server.loadAccount(alice.publicKey()), Asset.native())!;
    expect(toStroops(after) - toStroops(before)).toBe(20_000_000n);
    const over = submit(alice, [
      Operation.pathPaymentStrictReceive({
        sendAsset: Asset.native(),
        sendMax: '9.9',
        destination: dave.publicKey(),
        destAsset: USD,
        destAmount: '5',
        path: [],
      }),
    ]);
    expect((await failure(over)).operations).toEqual(['op_over_source_max']);
    const under = submit(alice, [
      Operation.pathPaymentStrictSend({
        sendAsset: Asset.native(),
        sendAmount: '1',
        destination: dave.publicKey(),
        destAsset: USD,
        destMin: '0.6',
        path: [],
      }),
    ]);
    expect((await failure(under)).operations).toEqual(['op_under_dest_min']);

    // path finding quotes the same fixed rates
    const sendPaths = await server.strictSendPaths(Asset.native(), '10', [USD]).call();
    expect(sendPaths.records).toEqual([
      expect.objectContaining({
        source_asset_type: 'native',
        destination_asset_code: 'USD',
        destination_amount: '5.0000000',
        path: [],
      }),
    ]);
    const receivePaths = await server.strictReceivePaths([Asset.native()], USD, '5').call();
    expect(receivePaths.records[0]).toMatchObject({
      source_amount: '10.0000000',
      destination_amount: '5.0000000',
    });
    const toDave = await server.strictSendPaths(USD, '1', dave.publicKey()).call();
    expect(toDave.records.map((r) => [r.destination_asset_type, r.destination_amount])).toEqual([
      ['native', '2.0000000'],
      ['credit_alphanum4', '1.0000000'],
    ]);
  });

  it('fee bump: the fee account pays; GET by either hash shows fee_account', async () => {
    const inner = await build(alice, [
      Operation.payment({ destination: distributor.publicKey(), asset: Asset.native(), amount: '1' }),
    ]);
    inner.sign(alice);
    const before = balanceOf(await server.loadAccount(distributor.publicKey()), Asset.native())!;
    const bump = TransactionBuilder.buildFeeBumpTransaction(distributor, '200', inner, h.passphrase);
    bump.sign(distributor);
    const res = await server.submitTransaction(bump);
    expect(res.successful).toBe(true);
    const tx = await server.transactions().transaction(res.hash).call();
    expect(tx.fee_account).toBe(distributor.publicKey());
    expect(tx.fee_charged).toBe('200');
    const byInner = await server.transactions().transaction(inner.hash().toString('hex')).call();
    expect(byInner.hash).toBe(res.hash);
    // +1 XLM received, −200 stroops fee
    const after = balanceOf(await server.loadAccount(distributor.publicKey()), Asset.native())!;
    expect(toStroops(after) - toStroops(before)).toBe(10_000_000n - 200n);

    // an inner transaction that fails: tx_fee_bump_inner_failed, the fee account still pays
    const broke = Keypair.random();
    await h.friendbot(broke.publicKey());
    const failingInner = await build(broke, [
      Operation.payment({ destination: alice.publicKey(), asset: Asset.native(), amount: '10000' }),
    ]);
    failingInner.sign(broke);
    const failingBump = TransactionBuilder.buildFeeBumpTransaction(
      distributor,
      '200',
      failingInner,
      h.passphrase,
    );
    failingBump.sign(distributor);
    expect(await failure(server.submitTransaction(failingBump))).toEqual({
      transaction: 'tx_fee_bump_inner_failed',
      inner_transaction: 'tx_failed',
      operations: ['op_underfunded'],
    });
    const charged = balanceOf(await server.loadAccount(distributor.publicKey()), Asset.native())!;
    expect(toStroops(after) - toStroops(charged)).toBe(200n);
    expect(balanceOf(await server.loadAccount(broke.publicKey()), Asset.native())).toBe('10000.0000000');
  });

  it('wrong signature → tx_bad_auth; other passphrase → tx_bad_auth', async () => {
    expect(
      (await failure(submit(alice, [Operation.manageData({ name: 'x', value: 'y' })], [Keypair.random()])))
        .transaction,
    ).toBe('tx_bad_auth');
    const account = await server.loadAccount(alice.publicKey());
    const other = new TransactionBuilder(account, { fee: BASE_FEE, networkPassphrase: Networks.PUBLIC })
      .addOperation(Operation.manageData({ name: 'x', value: 'y' }))
      .setTimeout(60)
      .build();
    other.sign(alice);
    expect((await failure(server.submitTransaction(other))).transaction).toBe('tx_bad_auth');
  });

  it('bad sequence → tx_bad_seq and nothing is consumed', async () => {
    const account = await server.loadAccount(alice.publicKey());
    const stale = new Horizon.AccountResponse({
      ...(account as any),
      sequence: (BigInt(account.sequence) + 5n).toString(),
    });
    const tx = new TransactionBuilder(stale, { fee: BASE_FEE, networkPassphrase: h.passphrase })
      .addOperation(Operation.manageData({ name: 'x', value: 'y' }))
      .setTimeout(60)
      .build();
    tx.sign(alice);
    expect((await failure(server.submitTransaction(tx))).transaction).toBe('tx_bad_seq');
    expect((await server.loadAccount(alice.publicKey())).sequence).toBe(account.sequence);
  });

  it('underfunded → op_underfunded; missing trust line → op_no_trust; failed tx still consumes seq and fee', async () => {
    const erin = Keypair.random();
    await h.friendbot(erin.publicKey());
    const before = await server.loadAccount(erin.publicKey());
    const under = await failure(
      submit(erin, [
        Operation.payment({ destination: alice.publicKey(), asset: Asset.native(), amount: '9999.5' }),
      ]),
    );
    expect(under).toEqual({ transaction: 'tx_failed', operations: ['op_underfunded'] });
    const after = await server.loadAccount(erin.publicKey());
    expect(BigInt(after.sequence)).toBe(BigInt(before.sequence) + 1n);
    expect(balanceOf(after, Asset.native())).toBe('9999.9999900');
    const noTrust = await failure(
      submit(issuer, [Operation.payment({ destination: erin.publicKey(), asset: USD, amount: '1' })]),
    );
    expect(noTrust.operations).toEqual(['op_no_trust']);
    const srcNoTrust = await failure(
      submit(erin, [Operation.payment({ destination: distributor.publicKey(), asset: USD, amount: '1' })]),
    );
    expect(srcNoTrust.operations).toEqual(['op_src_no_trust']);
    const noDest = await failure(
      submit(erin, [
        Operation.payment({ destination: Keypair.random().publicKey(), asset: Asset.native(), amount: '1' }),
      ]),
    );
    expect(noDest.operations).toEqual(['op_no_destination']);
    const lowReserve = await failure(
      submit(erin, [
        Operation.createAccount({ destination: Keypair.random().publicKey(), startingBalance: '0.5' }),
      ]),
    );
    expect(lowReserve.operations).toEqual(['op_low_reserve']);
    const failedTx = await server
      .transactions()
      .forAccount(erin.publicKey())
      .includeFailed(true)
      .order('desc')
      .limit(1)
      .call();
    expect(failedTx.records[0]!.successful).toBe(false);
    // an account at its minimum balance cannot pay a fee: refused, nothing consumed
    const poor = Keypair.random();
    await submit(erin, [Operation.createAccount({ destination: poor.publicKey(), startingBalance: '1' })]);
    const poorBefore = await server.loadAccount(poor.publicKey());
    expect((await failure(submit(poor, [Operation.manageData({ name: 'x', value: 'y' })]))).transaction).toBe(
      'tx_insufficient_balance',
    );
    expect((await server.loadAccount(poor.publicKey())).sequence).toBe(poorBefore.sequence);
  });

  it('AUTH_REQUIRED issuer: trust line starts unauthorized (op_not_authorized) until allowTrust / setTrustLineFlags', async () => {
    const gated = Keypair.random();
    const holder = Keypair.random();
    await Promise.all([h.friendbot(gated.publicKey()), h.friendbot(holder.publicKey())]);
    const EUR = new Asset('EUR', gated.publicKey());
    await submit(gated, [Operation.setOptions({ setFlags: 3 as any })]); // AUTH_REQUIRED | AUTH_REVOCABLE
    expect((await server.loadAccount(gated.publicKey())).flags).toMatchObject({
      auth_required: true,
      auth_revocable: true,
    });
    await submit(holder, [Operation.changeTrust({ asset: EUR, limit: '100' })]);
    const line = (await server.loadAccount(holder.publicKey())).balances.find(
      (b) => b.asset_type !== 'native',
    ) as any;
    expect(line.is_authorized).toBe(false);
    expect(
      (
        await failure(
          submit(gated, [Operation.payment({ destination: holder.publicKey(), asset: EUR, amount: '1' })]),
        )
      ).operations,
    ).toEqual(['op_not_authorized']);
    await submit(gated, [
      Operation.allowTrust({ trustor: holder.publicKey(), assetCode: 'EUR', authorize: 1 }),
    ]);
    await submit(gated, [Operation.payment({ destination: holder.publicKey(), asset: EUR, amount: '100' })]);
    expect(
      (
        await failure(
          submit(gated, [Operation.payment({ destination: holder.publicKey(), asset: EUR, amount: '1' })]),
        )
      ).operations,
    ).toEqual(['op_line_full']);
    await submit(gated, [
      Operation.setTrustLineFlags({ trustor: holder.publicKey(), asset: EUR, flags: { authorized: false } }),
    ]);
    const revoked = (await server.loadAccount(holder.publicKey())).balances.find(
      (b) => b.asset_type !== 'native',
    ) as any;
    expect(revoked.is_authorized).toBe(false);
  });

  it('multisig thresholds: medium needs 2 of 3 weight, high needs all; signers and thresholds listed (S10-26)', async () => {
    const owner = Keypair.random();
    const s1 = Keypair.random();
    const s2 = Keypair.random();
    await h.friendbot(owner.publicKey());
    await submit(owner, [
      Operation.setOptions({ signer: { ed25519PublicKey: s1.publicKey(), weight: 1 } }),
      Operation.setOptions({ signer: { ed25519PublicKey: s2.publicKey(), weight: 1 } }),
      Operation.setOptions({ lowThreshold: 1, medThreshold: 2, highThreshold: 3, homeDomain: 'example.com' }),
    ]);
    const acc = await server.loadAccount(owner.publicKey());
    expect(acc.thresholds).toEqual({ low_threshold: 1, med_threshold: 2, high_threshold: 3 });
    expect(acc.signers.map((s) => s.key).sort()).toEqual(
      [owner.publicKey(), s1.publicKey(), s2.publicKey()].sort(),
    );
    expect(acc.home_domain).toBe('example.com');
    const bySigner = await server.accounts().forSigner(s1.publicKey()).call();
    expect(bySigner.records.map((r) => r.account_id)).toEqual([owner.publicKey()]);
    const byAsset = await server.accounts().forAsset(USD).limit(200).call();
    expect(byAsset.records.map((r) => r.account_id)).toContain(distributor.publicKey());
    expect(acc.subentry_count).toBe(2);
    const pay = (amount: string) =>
      Operation.payment({ destination: alice.publicKey(), asset: Asset.native(), amount });
    // one signer (weight 1) passes the low tx check but not the medium payment
    expect(await failure(submit(owner, [pay('1')], [s1]))).toEqual({
      transaction: 'tx_failed',
      operations: ['op_bad_auth'],
    });
    expect((await submit(owner, [pay('1')], [s1, s2])).successful).toBe(true);
    // an unneeded extra signature
    expect((await failure(submit(owner, [pay('1')], [s1, s2, Keypair.random()]))).transaction).toBe(
      'tx_bad_auth_extra',
    );
    expect(
      (await failure(submit(owner, [Operation.setOptions({ masterWeight: 0 })], [s1, s2]))).operations,
    ).toEqual(['op_bad_auth']);
    expect(
      (await submit(owner, [Operation.setOptions({ masterWeight: 1 })], [owner, s1, s2])).successful,
    ).toBe(true);
  });

  it('manageData and accountMerge; too-early time bounds → tx_too_early; low fee → tx_insufficient_fee', async () => {
    const frank = Keypair.random();
    await h.friendbot(frank.publicKey());
    await submit(frank, [Operation.manageData({ name: 'config.memo_required', value: '1' })]);
    const acc = await server.loadAccount(frank.publicKey());
    expect(acc.data_attr['config.memo_required']).toBe(Buffer.from('1').toString('base64'));
    expect(
      (await failure(submit(frank, [Operation.accountMerge({ destination: alice.publicKey() })]))).operations,
    ).toEqual(['op_has_sub_entries']);
    await submit(frank, [Operation.manageData({ name: 'config.memo_required', value: null })]);
    const merged = await submit(frank, [Operation.accountMerge({ destination: alice.publicKey() })]);
    expect(merged.successful).toBe(true);
    expect((await server.loadAccount(frank.publicKey()).catch((e) => e)).response.status).toBe(404);
    const early = new TransactionBuilder(await server.loadAccount(alice.publicKey()), {
      fee: BASE_FEE,
      networkPassphrase: h.passphrase,
      timebounds: { minTime: Math.floor(Date.now() / 1000) + 3600, maxTime: 0 },
    })
      .addOperation(Operation.bumpSequence({ bumpTo: '0' }))
      .build();
    early.sign(alice);
    expect((await failure(server.submitTransaction(early))).transaction).toBe('tx_too_early');
    const cheap = await build(alice, [Operation.bumpSequence({ bumpTo: '0' })], { fee: '50' });
    cheap.sign(alice);
    expect((await failure(server.submitTransaction(cheap))).transaction).toBe('tx_insufficient_fee');
  });

  it('claimable balances: create for a claimant, list by claimant, claim; predicates and sponsorship reserve (S24-26)', async () => {
    const gina = Keypair.random();
    const sponsor = Keypair.random();
    await Promise.all([h.friendbot(gina.publicKey()), h.friendbot(sponsor.publicKey())]);
    await submit(gina, [Operation.changeTrust({ asset: USD })]);
    await submit(sponsor, [Operation.changeTrust({ asset: USD })]);
    await submit(issuer, [Operation.payment({ destination: sponsor.publicKey(), asset: USD, amount: '20' })]);
    const res = await submit(sponsor, [
      Operation.createClaimableBalance({
        asset: USD,
        amount: '7',
        claimants: [new Claimant(gina.publicKey())],
      }),
    ]);
    expect((await server.loadAccount(sponsor.publicKey())).num_sponsoring).toBe(1);
    const list = await server.claimableBalances().claimant(gina.publicKey()).call();
    expect(list.records).toHaveLength(1);
    expect(list.records[0]).toMatchObject({ amount: '7.0000000', sponsor: sponsor.publicKey() });
    const txResult = xdr.TransactionResult.fromXDR(res.result_xdr, 'base64');
    const id = txResult
      .result()
      .results()[0]!
      .tr()
      .createClaimableBalanceResult()
      .balanceId()
      .toXDR('hex') as string;
    expect(list.records[0]!.id).toBe(id);
    // only a listed claimant can claim
    const stranger = Keypair.random();
    await h.friendbot(stranger.publicKey());
    await submit(stranger, [Operation.changeTrust({ asset: USD })]);
    expect(
      (await failure(submit(stranger, [Operation.claimClaimableBalance({ balanceId: id })]))).operations,
    ).toEqual(['op_cannot_claim']);
    await submit(gina, [Operation.claimClaimableBalance({ balanceId: id })]);
    expect(balanceOf(await server.loadAccount(gina.publicKey()), USD)).toBe('7.0000000');
    expect((await server.claimableBalances().claimant(gina.publicKey()).call()).records).toHaveLength(0);
    expect((await server.loadAccount(sponsor.publicKey())).num_sponsoring).toBe(0);
    expect(
      (await failure(submit(gina, [Operation.claimClaimableBalance({ balanceId: id })]))).operations,
    ).toEqual(['op_does_not_exist']);
    // a predicate that holds only after a (relative) time: not claimable yet
    const later = await submit(sponsor, [
      Operation.createClaimableBalance({
        asset: Asset.native(),
        amount: '1',
        claimants: [
          new Claimant(
            gina.publicKey(),
            Claimant.predicateNot(Claimant.predicateBeforeRelativeTime('86400')),
          ),
        ],
      }),
    ]);
    const laterId = xdr.TransactionResult.fromXDR(later.result_xdr, 'base64')
      .result()
      .results()[0]!
      .tr()
      .createClaimableBalanceResult()
      .balanceId()
      .toXDR('hex') as string;
    const shown = await server.claimableBalances().claimableBalance(laterId).call();
    expect((shown.claimants[0]!.predicate as { not?: { abs_before?: string } }).not?.abs_before).toMatch(
      /^\d{4}-/,
    );
    expect(
      (await failure(submit(gina, [Operation.claimClaimableBalance({ balanceId: laterId })]))).operations,
    ).toEqual(['op_cannot_claim']);
  });

  it('operations: every type listed per account and per transaction, failed ones only with include_failed', async () => {
    const hank = Keypair.random();
    await h.friendbot(hank.publicKey());
    await submit(hank, [
      Operation.changeTrust({ asset: USD }),
      Operation.manageData({ name: 'k', value: 'v' }),
      Operation.setOptions({ homeDomain: 'hank.example' }),
    ]);
    const failed = await failure(
      submit(hank, [Operation.payment({ destination: distributor.publicKey(), asset: USD, amount: '1' })]),
    );
    expect(failed.operations).toEqual(['op_underfunded']);
    const ops = await server.operations().forAccount(hank.publicKey()).call();
    expect(ops.records.map((r) => r.type)).toEqual([
      'create_account',
      'change_trust',
      'manage_data',
      'set_options',
    ]);
    expect(ops.records[1]).toMatchObject({
      asset_code: 'USD',
      asset_issuer: issuer.publicKey(),
      trustor: hank.publicKey(),
    });
    const withFailed = await server
      .operations()
      .forAccount(hank.publicKey())
      .includeFailed(true)
      .order('desc')
      .call();
    expect(withFailed.records[0]).toMatchObject({ type: 'payment', transaction_successful: false });
    const tx = await server.transactions().forAccount(hank.publicKey()).order('desc').limit(1).call();
    const ofTx = await server.operations().forTransaction(tx.records[0]!.hash).call();
    expect(ofTx.records).toHaveLength(3);
    const one = await server.operations().operation(ofTx.records[2]!.id).call();
    expect(one).toMatchObject({ type: 'set_options', home_domain: 'hank.example' });
    const ledgerPayments = await server.payments().forLedger(tx.records[0]!.ledger_attr).call();
    expect(ledgerPayments.records.every((r) => (r.type as string) !== 'change_trust')).toBe(true);
  });

  it('submitAsyncTransaction answers PENDING at once; the transaction then appears in a ledger; garbage is transaction_malformed', async () => {
    const tx = await build(alice, [
      Operation.payment({ destination: distributor.publicKey(), asset: Asset.native(), amount: '0.2' }),
    ]);
    tx.sign(alice);
    const res = await server.submitAsyncTransaction(tx);
    expect(res).toMatchObject({ tx_status: 'PENDING', hash: tx.hash().toString('hex') });
    const deadline = Date.now() + 20_000;
    let found: Horizon.ServerApi.TransactionRecord | undefined;
    while (!found && Date.now() < deadline) {
      found = await server
        .transactions()
        .transaction(res.hash)
        .call()
        .catch(() => undefined);
      if (!found) await new Promise((r) => setTimeout(r, 50));
    }
    expect(found?.successful).toBe(true);
    const bad = await fetch(`${h.url}/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'tx=AAAAnotxdr',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).type).toBe('https://stellar.org/horizon-errors/transaction_malformed');
  });

  it('consecutive sequence numbers from one account can both be queued before a ledger closes', async () => {
    const account = await server.loadAccount(alice.publicKey());
    const make = () => {
      const tx = new TransactionBuilder(account, { fee: BASE_FEE, networkPassphrase: h.passphrase })
        .addOperation(
          Operation.payment({ destination: distributor.publicKey(), asset: Asset.native(), amount: '0.3' }),
        )
        .setTimeout(60)
        .build();
      tx.sign(alice);
      return tx;
    };
    const first = make();
    const second = make(); // account's sequence was incremented by the builder
    const p1 = server.submitTransaction(first);
    const deadline = Date.now() + 10_000;
    while (h.sandbox.ledger.pendingCount === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const p2 = server.submitTransaction(second);
    const [r1, r2] = await Promise.all([p1, p2]);
    expect(r1.successful && r2.successful).toBe(true);
    expect(r2.ledger).toBeGreaterThanOrEqual(r1.ledger);
    expect((await server.loadAccount(alice.publicKey())).sequence).toBe(second.sequence);
  });

  it('HTTP errors are Horizon problem bodies: bad cursor/limit/order 400, unknown transaction/ledger 404', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${h.url}${path}`);
      return {
        status: res.status,
        body: (await res.json()) as { type: string; extras?: { invalid_field?: string } },
      };
    };
    const bad = (field: string) => ({
      status: 400,
      body: expect.objectContaining({
        type: 'https://stellar.org/horizon-errors/bad_request',
        extras: expect.objectContaining({ invalid_field: field }),
      }),
    });
    expect(await get('/payments?limit=201')).toMatchObject(bad('limit'));
    expect(await get('/payments?cursor=abc')).toMatchObject(bad('cursor'));
    expect(await get('/payments?order=sideways')).toMatchObject(bad('order'));
    expect(await get('/accounts/GNOTANACCOUNT')).toMatchObject(bad('account_id'));
    const missing = {
      status: 404,
      body: expect.objectContaining({ type: 'https://stellar.org/horizon-errors/not_found' }),
    };
    expect(await get(`/transactions/${'ab'.repeat(32)}`)).toMatchObject(missing);
    expect(await get('/ledgers/999999')).toMatchObject(missing);
    expect(await get('/order_book')).toMatchObject(missing);
  });

  it('the same envelope submitted twice (also concurrently) is applied once and answers the same result', async () => {
    const tx = await build(alice, [
      Operation.payment({ destination: distributor.publicKey(), asset: Asset.native(), amount: '0.1' }),
    ]);
    tx.sign(alice);
    const [a, b] = await Promise.all([server.submitTransaction(tx), server.submitTransaction(tx)]);
    expect(a.hash).toBe(b.hash);
    expect(a.ledger).toBe(b.ledger);
    const c = await server.submitTransaction(tx);
    expect(c.hash).toBe(a.hash);
    // a failed transaction resubmitted answers the same tx_failed, without consuming another sequence number
    const failing = await build(alice, [
      Operation.payment({ destination: Keypair.random().publicKey(), asset: Asset.native(), amount: '1' }),
    ]);
    failing.sign(alice);
    const firstCodes = await failure(server.submitTransaction(failing));
    const seqAfterFirst = (await server.loadAccount(alice.publicKey())).sequence;
    expect(await failure(server.submitTransaction(failing))).toEqual(firstCodes);
    expect((await server.loadAccount(alice.publicKey())).sequence).toBe(seqAfterFirst);
    const page = await server.payments().forAccount(alice.publicKey()).order('desc').limit(5).call();
    expect(page.records.filter((r) => r.transaction_hash === a.hash)).toHaveLength(1);
  });
});

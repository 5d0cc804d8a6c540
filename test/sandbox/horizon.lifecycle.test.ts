/**
 * The sandbox Horizon as a process: state survives a restart, payment streams behave like Horizon's SSE,
 * ledgers respect the operations cap, and a full 1,000-operation ledger closes promptly.
 */
import {
  Asset,
  BASE_FEE,
  Horizon,
  Keypair,
  Networks,
  Operation,
  TransactionBuilder,
  type xdr,
} from '@stellar/stellar-sdk';
import { sql } from 'kysely';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/index.js';
import { createHorizonSandbox } from '../../sandbox/horizon/index.js';
import { type SandboxHorizonHandle, startSandboxHorizon } from '../helpers/horizon.js';

const started: SandboxHorizonHandle[] = [];
async function start(opts: Parameters<typeof startSandboxHorizon>[0] = {}) {
  const h = await startSandboxHorizon(opts);
  started.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.stop()));
});

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function signed(h: SandboxHorizonHandle, source: Keypair, ops: xdr.Operation[]) {
  const account = await h.server.loadAccount(source.publicKey());
  const b = new TransactionBuilder(account, { fee: BASE_FEE, networkPassphrase: h.passphrase });
  for (const op of ops) b.addOperation(op);
  const tx = b.setTimeout(120).build();
  tx.sign(source);
  return tx;
}

describe('sandbox Horizon lifecycle', () => {
  it('state survives a restart: accounts, sequence, trust lines, transactions and payments', async () => {
    const first = await start({ keepSchema: true });
    const issuer = Keypair.random();
    const holder = Keypair.random();
    await first.friendbot(issuer.publicKey());
    await first.friendbot(holder.publicKey());
    const USD = new Asset('USD', issuer.publicKey());
    await first.server.submitTransaction(
      await signed(first, holder, [Operation.changeTrust({ asset: USD })]),
    );
    const paid = await first.server.submitTransaction(
      await signed(first, issuer, [
        Operation.payment({ destination: holder.publicKey(), asset: USD, amount: '12.5' }),
      ]),
    );
    const before = await first.server.loadAccount(holder.publicKey());
    const ledgerBefore = paid.ledger;
    const schema = first.schema;
    // a second process on the same schema refuses to start instead of forking the ledger
    await expect(startSandboxHorizon({ schema, keepSchema: true })).rejects.toThrow(/already running/);
    await first.stop();
    started.length = 0;

    const second = await start({ schema });
    const after = await second.server.loadAccount(holder.publicKey());
    expect(after.sequence).toBe(before.sequence);
    expect(after.balances).toEqual(before.balances);
    const tx = await second.server.transactions().transaction(paid.hash).call();
    expect(tx.ledger_attr).toBe(ledgerBefore);
    const payments = await second.server.payments().forAccount(holder.publicKey()).call();
    expect(payments.records.map((r) => r.type)).toEqual(['create_account', 'payment']);
    // the ledger sequence continues; a resubmitted old envelope answers the stored result, not a second payment
    await second.closeLedgerNow();
    const root = await (await fetch(`${second.url}/`)).json();
    expect(root.history_latest_ledger).toBeGreaterThan(ledgerBefore);
    const again = await second.server.submitTransaction(
      TransactionBuilder.fromXDR(tx.envelope_xdr, second.passphrase),
    );
    expect(again.hash).toBe(paid.hash);
    expect(again.ledger).toBe(ledgerBefore);
    const next = await second.server.submitTransaction(
      await signed(second, issuer, [
        Operation.payment({ destination: holder.publicKey(), asset: USD, amount: '1' }),
      ]),
    );
    expect(next.successful).toBe(true);
    const line = (await second.server.loadAccount(holder.publicKey())).balances.find(
      (b) => b.asset_type !== 'native',
    );
    expect(line?.balance).toBe('13.5000000');
  });

  it("runs on a caller's Kysely pool (even a single connection) and leaves it open on stop", async () => {
    const schema = `hz_pool_${Date.now().toString(36)}`;
    const db = createDb({ url: inject('pgUrl'), poolSize: 1 });
    const sandbox = createHorizonSandbox({
      db,
      schema,
      networkPassphrase: Networks.TESTNET,
      ledgerCloseMs: 200,
    });
    try {
      const { url } = await sandbox.start(0);
      const server = new Horizon.Server(url, { allowHttp: true });
      const k = Keypair.random();
      const res = await fetch(`${url}/friendbot?addr=${k.publicKey()}`);
      expect(res.status).toBe(200);
      expect((await server.loadAccount(k.publicKey())).balances[0]?.balance).toBe('10000.0000000');
      await sandbox.stop();
      await sql`select 1`.execute(db); // still usable: the caller owns it
    } finally {
      await sandbox.stop();
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    }
  });

  it('streams payments for an account from a cursor via SSE, as server.payments().forAccount().stream() expects', async () => {
    const h = await start();
    const alice = Keypair.random();
    const bob = Keypair.random();
    await h.friendbot(alice.publicKey());
    await h.friendbot(bob.publicKey());
    const first = await h.server.submitTransaction(
      await signed(h, alice, [
        Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '1' }),
      ]),
    );
    const existing = await h.server.payments().forAccount(bob.publicKey()).call();
    expect(existing.records).toHaveLength(2);
    const cursor = existing.records[0]!.paging_token; // after the create_account

    const seen: Horizon.ServerApi.PaymentOperationRecord[] = [];
    const errors: unknown[] = [];
    const close = h.server
      .payments()
      .forAccount(bob.publicKey())
      .cursor(cursor)
      .stream({
        onmessage: (r) => seen.push(r as Horizon.ServerApi.PaymentOperationRecord),
        onerror: (e) => errors.push(e),
      });
    const live: Horizon.ServerApi.PaymentOperationRecord[] = [];
    const closeLive = h.server
      .payments()
      .forAccount(bob.publicKey())
      .cursor('now')
      .stream({ onmessage: (r) => live.push(r as Horizon.ServerApi.PaymentOperationRecord) });
    try {
      await waitFor('the historic payment', () => (seen.length >= 1 ? true : undefined));
      expect(seen[0]!.transaction_hash).toBe(first.hash);
      await waitFor('both streams open', () => (h.sandbox.ledger.openStreams >= 2 ? true : undefined));
      const second = await h.server.submitTransaction(
        await signed(h, alice, [
          Operation.payment({ destination: bob.publicKey(), asset: Asset.native(), amount: '2' }),
        ]),
      );
      await waitFor('the live payment', () => (seen.length >= 2 ? true : undefined));
      expect(seen[1]).toMatchObject({
        transaction_hash: second.hash,
        amount: '2.0000000',
        to: bob.publicKey(),
      });
      expect(seen.map((r) => r.paging_token)).toEqual([...new Set(seen.map((r) => r.paging_token))]);
      // cursor=now: only what happens after the stream opened
      await waitFor('the live payment on the now-stream', () => (live.length >= 1 ? true : undefined));
      expect(live.map((r) => r.transaction_hash)).toEqual([second.hash]);
    } finally {
      close();
      closeLive();
    }

    // the raw wire format: retry/open first, then id/data pairs
    const ctrl = new AbortController();
    const res = await fetch(`${h.url}/accounts/${bob.publicKey()}/payments?cursor=${cursor}`, {
      headers: { Accept: 'text/event-stream' },
      signal: ctrl.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(`id: `) || text.split('\n\n').length < 4) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    ctrl.abort();
    expect(text.startsWith('retry: 1000\nevent: open\ndata: "hello"\n\n')).toBe(true);
    const message = text.split('\n\n')[1]!;
    expect(message).toMatch(/^id: \d+\ndata: \{/);
  });

  it('streams ledgers and transactions too (cursor=now: only new ones, in order)', async () => {
    const h = await start();
    const alice = Keypair.random();
    await h.friendbot(alice.publicKey());
    const ledgers: number[] = [];
    const txs: string[] = [];
    const before = h.sandbox.ledger.latest.seq;
    const closeLedgers = h.server
      .ledgers()
      .cursor('now')
      .stream({ onmessage: (l) => ledgers.push((l as unknown as { sequence: number }).sequence) });
    const closeTxs = h.server
      .transactions()
      .forAccount(alice.publicKey())
      .cursor('now')
      .stream({ onmessage: (t) => txs.push((t as unknown as { hash: string }).hash) });
    try {
      await waitFor('both streams open', () => (h.sandbox.ledger.openStreams >= 2 ? true : undefined));
      const res = await h.server.submitTransaction(
        await signed(h, alice, [Operation.manageData({ name: 'streamed', value: 'yes' })]),
      );
      await waitFor('the transaction', () => (txs.length >= 1 ? true : undefined));
      expect(txs).toEqual([res.hash]);
      await waitFor('three new ledgers', () => (ledgers.length >= 3 ? true : undefined));
      expect(ledgers[0]).toBeGreaterThan(before);
      expect(ledgers.slice(0, 3)).toEqual([ledgers[0], ledgers[0]! + 1, ledgers[0]! + 2]);
    } finally {
      closeLedgers();
      closeTxs();
    }
  });

  it('a ledger never holds more than maxOpsPerLedger operations; later submissions wait for the next ledger', async () => {
    const h = await start({ maxOpsPerLedger: 3, ledgerCloseMs: 300 });
    const senders = Array.from({ length: 5 }, () => Keypair.random());
    const dest = Keypair.random();
    await h.friendbot(dest.publicKey());
    for (const s of senders) await h.friendbot(s.publicKey());
    const txs = await Promise.all(
      senders.map((s) =>
        signed(h, s, [
          Operation.payment({ destination: dest.publicKey(), asset: Asset.native(), amount: '1' }),
        ]),
      ),
    );
    const results = await Promise.all(txs.map((tx) => h.server.submitTransaction(tx)));
    const byLedger = new Map<number, number>();
    for (const r of results) byLedger.set(r.ledger, (byLedger.get(r.ledger) ?? 0) + 1);
    expect(Math.max(...byLedger.values())).toBeLessThanOrEqual(3);
    expect(byLedger.size).toBeGreaterThanOrEqual(2);
    for (const seq of byLedger.keys()) {
      const ledger = await h.server.ledgers().ledger(seq).call();
      expect((ledger as unknown as { operation_count: number }).operation_count).toBeLessThanOrEqual(3);
    }
  });

  it('closes a full ledger of 1,000 operations (10 transactions × 100 payments) within a few seconds', async () => {
    const h = await start({ ledgerCloseMs: 60_000 }); // closes only when asked
    const senders = Array.from({ length: 10 }, () => Keypair.random());
    const dest = Keypair.random();
    const fund = (k: Keypair) => h.sandbox.ledger.fund(k.publicKey(), '10000');
    const funding = [dest, ...senders].map(fund);
    await h.closeLedgerNow();
    await Promise.all(funding);
    const txs = await Promise.all(
      senders.map((s) =>
        signed(
          h,
          s,
          Array.from({ length: 100 }, () =>
            Operation.payment({ destination: dest.publicKey(), asset: Asset.native(), amount: '0.01' }),
          ),
        ),
      ),
    );
    const pending = txs.map((tx) => h.server.submitTransaction(tx));
    await waitFor('all ten queued', () => (h.sandbox.ledger.pendingCount === 10 ? true : undefined));
    const t0 = Date.now();
    await h.closeLedgerNow();
    const elapsed = Date.now() - t0;
    const results = await Promise.all(pending);
    expect(new Set(results.map((r) => r.ledger)).size).toBe(1);
    expect(results.every((r) => r.successful)).toBe(true);
    const ledger = (await h.server.ledgers().ledger(results[0]!.ledger).call()) as unknown as {
      operation_count: number;
    };
    expect(ledger.operation_count).toBe(1000);
    const acc = await h.server.loadAccount(dest.publicKey());
    expect(acc.balances.find((b) => b.asset_type === 'native')?.balance).toBe('10010.0000000');
    const page = await h.server.payments().forAccount(dest.publicKey()).order('desc').limit(200).call();
    expect(page.records).toHaveLength(200);
    // generous on a shared 2-core machine; the real pace is one ledger per 5 s
    expect(elapsed).toBeLessThan(5_000);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { depositPaymentRef } from '../../core/ids.js';
import { type FaultProxy, startFaultProxy } from '../faults/proxy.js';
import { type DevStack, startDevStack } from './stack/dev.js';
import { until } from './stack/index.js';
import {
  assetBalance,
  bankTransfer,
  completeDepositPages,
  formatFixed7,
  parseAmount,
  sep10Token,
  startInteractive,
  waitForStatus,
  walletUser,
} from './stack/wallet.js';

/**
 * Issue 15 items 6 and acceptance: `npm start` (scripts/dev.ts itself, as a process) supervises what it runs. A
 * SIGKILLed worker is restarted by the supervisor while the rest stays up, and a deposit whose payment was on
 * its way to the ledger at the kill completes within 30 s of the restart. A SIGTERM to dev.ts alone, or Ctrl-C
 * (SIGINT to its process group), leaves no process of the stack running.
 */
const health = async (url: string) => (await fetch(`${url}/health`)).status;

describe('npm start supervises its processes (issue 15 item 6)', () => {
  let stack: DevStack;
  let horizonProxy: FaultProxy;

  beforeAll(async () => {
    stack = await startDevStack({
      upstreams: async (real) => {
        // Off while the stack starts; then every payment submission is held 4 s, so a kill lands mid-flight.
        horizonProxy = await startFaultProxy({
          name: 'horizon',
          target: real.horizon,
          rate: 0,
          random: Math.random,
          kinds: ['slow'],
          slowMs: 4000,
          eligible: (req) => req.method === 'POST' && (req.url ?? '').startsWith('/transactions'),
        });
        return { horizon: horizonProxy.url };
      },
    });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await horizonProxy?.close();
  }, 120_000);

  it('a SIGKILLed worker comes back by itself, the API stays up, and the deposit whose payout was in flight completes within 30 s of the restart (S24-12)', async () => {
    const user = await walletUser(stack);
    const jwt = await sep10Token(stack, stack.publicUrl, user);
    const { id, url } = await startInteractive(
      stack.publicUrl,
      jwt,
      'deposit',
      stack.config.stellar.assetCode,
    );
    const amount = '25.1234567';
    const reference = await completeDepositPages(url, amount);
    horizonProxy.setRate(1);
    await bankTransfer(stack, reference, amount);

    // The payment envelope is stored and on its way to Horizon (held by the proxy): kill the worker now.
    const envelope = await until(
      async () =>
        (
          await stack.query<{ ref: string }>(
            `select e.ref from stellar_envelopes e left join stellar_payments p on p.envelope_ref = e.ref
             where e.submitted_at is not null and (e.ref = $1 or p.ref = $1)`,
            [depositPaymentRef(id)],
          )
        )[0],
      60_000,
      'the payout envelope to be submitted',
    );
    const oldPid = await stack.killService('worker', 'SIGKILL');
    expect(await health(stack.publicUrl)).toBe(200);

    await stack.waitForOutput(/\[supervisor\] worker killed by SIGKILL .*restarting in/, 10_000);
    await stack.waitForOutput(/\[supervisor\] worker is back \(pid \d+\)/, 120_000);
    const back = Date.now();
    const newPid = stack.pids().get('worker');
    expect(newPid).toBeDefined();
    expect(newPid).not.toBe(oldPid);
    expect(await health(stack.publicUrl)).toBe(200);
    expect(stack.dev.exitCode).toBeNull();

    const tx = await waitForStatus(stack.publicUrl, jwt, id, ['completed', 'error', 'refunded'], 60_000);
    const recovery = Date.now() - back;
    console.log(
      `[supervised-start] payout ${envelope.ref} completed ${recovery} ms after the worker was back`,
    );
    expect(tx.status).toBe('completed');
    expect(recovery).toBeLessThan(30_000);
    // Paid exactly once.
    expect(formatFixed7(await assetBalance(stack, user.publicKey()))).toBe(
      formatFixed7(parseAmount(String(tx.amount_out))),
    );
    const payments = await stack.horizon.payments().forAccount(user.publicKey()).limit(50).call();
    const credits = payments.records.filter(
      (p) =>
        p.type === 'payment' &&
        'to' in p &&
        p.to === user.publicKey() &&
        p.asset_code === stack.config.stellar.assetCode,
    );
    expect(credits).toHaveLength(1);
    horizonProxy.setRate(0);
  }, 240_000);

  it('a crashed simulator is restarted too, and SIGTERM to dev.ts alone stops every child: none left running', async () => {
    const before = stack.pids();
    expect([...before.keys()]).toEqual(
      expect.arrayContaining([
        'Temporal dev server',
        'sandbox bank',
        'sandbox KYC provider',
        'sandbox Horizon',
        'worker',
        'API',
      ]),
    );
    await stack.killService('sandbox KYC provider', 'SIGKILL');
    await stack.waitForOutput(/\[supervisor\] sandbox KYC provider is back \(pid \d+\)/, 60_000);
    expect((await fetch(`${stack.kycUrl}/`)).ok).toBe(true);

    const pids = stack.everyPid();
    expect(stack.leftovers().length).toBeGreaterThanOrEqual(6);
    process.kill(stack.dev.pid!, 'SIGTERM'); // the dev.ts process only, not its group
    expect(await stack.devExited).toBe(0);
    expect(stack.leftovers()).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
  }, 120_000);
});

describe('Ctrl-C stops npm start (issue 15 item 6)', () => {
  let stack: DevStack;
  beforeAll(async () => {
    stack = await startDevStack();
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('SIGINT to the process group (a terminal Ctrl-C) stops every child, in order, and exits 0', async () => {
    expect(stack.leftovers().length).toBeGreaterThanOrEqual(6);
    process.kill(-stack.dev.pid!, 'SIGINT');
    expect(await stack.devExited).toBe(0);
    expect(stack.leftovers()).toEqual([]);
    expect(stack.output()).toMatch(/stopping[\s\S]*API[\s\S]*worker[\s\S]*Temporal dev server/);
  }, 120_000);
});

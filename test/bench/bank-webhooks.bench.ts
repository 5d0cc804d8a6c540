/**
 * The sandbox bank's webhook latency: from the bank answering 201 to `POST /api/transfers` (the transfer is
 * booked) to the signed `transfer.received` webhook arriving at a receiver (#16 item 4: within 100 ms). The bank runs as it does in `npm start`
 * (sandbox/bank/server.ts: its books in Postgres, the 500 ms retry pass on), the receiver answers 200 at once and
 * checks every event arrives exactly once.
 *
 * Ours: sandbox/bank/webhooks.ts since #16: the booking claims its own delivery row in the transaction that books
 * it and sends it right after the commit (no database round trip in between), concurrently, successes recorded in
 * batches; passes claiming rows in Postgres are the durable fallback (retries, a claim whose sender died).
 * Baseline: the sender before #16, reproduced here: one pass at a time, at most 20 due rows per pass, one after
 * another, passes 500 ms apart (a booking only starts a pass when none is running).
 *
 * Two loads, each alternated ours/baseline BANK_WEBHOOK_BENCH_ROUNDS times (3): one booking at a time
 * (BANK_WEBHOOK_BENCH_TRICKLE, 50) and a burst of BANK_WEBHOOK_BENCH_BURST (200) bookings at once.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { createLogger } from '../../config/logger.js';
import { BANK_SIGNATURE_HEADER, signBankWebhook } from '../../core/bank/signature.js';
import { createSandboxBankApp } from '../../sandbox/bank/app.js';
import { startSandboxBank } from '../../sandbox/bank/server.js';
import { BankStore, type DeliveryRow } from '../../sandbox/bank/store.js';
import type { WebhookSender } from '../../sandbox/bank/webhooks.js';
import { median, spread } from './stats.js';
import type { BenchResult } from './types.js';

const ROUNDS = Math.max(1, Number(process.env.BANK_WEBHOOK_BENCH_ROUNDS ?? 3));
const TRICKLE = Number(process.env.BANK_WEBHOOK_BENCH_TRICKLE ?? 50);
const BURST = Number(process.env.BANK_WEBHOOK_BENCH_BURST ?? 200);
const PASS_INTERVAL_MS = 500;
const API_KEY = 'bench-bank-key';
const SECRET = 'bench-bank-webhook-secret';
const logger = createLogger('sandbox-bank', 'silent');

/** Receives webhooks, records when each transfer's event arrived; a second arrival of an event is an error. */
async function startReceiver(): Promise<{
  url: string;
  arrivals: Map<string, number>;
  duplicates: string[];
  close(): Promise<void>;
}> {
  const arrivals = new Map<string, number>();
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const server: Server = createServer((req, res) => {
    const at = performance.now();
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const event = JSON.parse(body) as { id: string; data: { transfer: { id: string } } };
      if (seen.has(event.id)) duplicates.push(event.id);
      seen.add(event.id);
      if (!arrivals.has(event.data.transfer.id)) arrivals.set(event.data.transfer.id, at);
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/bank`,
    arrivals,
    duplicates,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The sender before #16 (see the file comment), on the same store and the same signed requests. */
class PassSender {
  private running: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly store: BankStore,
    private readonly url: string,
  ) {}
  /** The pre-#16 bank booked first and let a pass find the row. */
  bookingLeaseMs(): null {
    return null;
  }
  deliverBooked(): void {}
  deliverDue(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
  private async pass(): Promise<number> {
    const due: DeliveryRow[] = await this.store.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', sql<Date>`now()`)
      .orderBy('next_attempt_at')
      .orderBy('created_at')
      .limit(20)
      .execute();
    let delivered = 0;
    for (const d of due) {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [BANK_SIGNATURE_HEADER]: signBankWebhook(SECRET, d.body, Math.floor(Date.now() / 1000)),
        },
        body: d.body,
      });
      await res.body?.cancel();
      await this.store.recordDelivery(d.event_id, { ok: true, status: res.status });
      delivered++;
    }
    return delivered;
  }
  start(): void {
    const tick = () => {
      void this.deliverDue().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, PASS_INTERVAL_MS);
      });
    };
    this.timer = setTimeout(tick, PASS_INTERVAL_MS);
  }
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }
}

interface Bank {
  url: string;
  close(): Promise<void>;
}

async function startBank(kind: 'ours' | 'baseline', webhookUrl: string): Promise<Bank> {
  const schema = `bench_bankwh_${randomBytes(4).toString('hex')}`;
  if (kind === 'ours') {
    const bank = await startSandboxBank({
      dbUrl: inject('pgUrl'),
      schema,
      port: 0,
      apiKey: API_KEY,
      webhookUrl,
      webhookSecret: SECRET,
      logger,
      deliveryIntervalMs: PASS_INTERVAL_MS,
    });
    return { url: bank.url, close: () => bank.close({ dropSchema: true }) };
  }
  const store = new BankStore(inject('pgUrl'), schema);
  await store.init();
  const sender = new PassSender(store, webhookUrl);
  const app = createSandboxBankApp({
    store,
    sender: sender as unknown as WebhookSender,
    apiKey: API_KEY,
    payoutSettleMs: 0,
    logger,
  });
  const server = await new Promise<ReturnType<typeof serve>>((r) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => r(s));
  });
  sender.start();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await sender.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await store.dropSchema();
      await store.close();
    },
  };
}

/** Books one transfer; returns its id, when the request was sent and when the bank's 201 (booked) arrived. */
async function book(bankUrl: string, i: number): Promise<{ id: string; sentAt: number; bookedAt: number }> {
  const sentAt = performance.now();
  const res = await fetch(`${bankUrl}/api/transfers`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ reference: `BENCH${i}`, amount: '10', from_account: 'DE89370400440532013000' }),
  });
  if (res.status !== 201) throw new Error(`booking ${i}: HTTP ${res.status}`);
  const bookedAt = performance.now();
  return { id: ((await res.json()) as { id: string }).id, sentAt, bookedAt };
}

interface Run {
  /** From the booking's 201 to the webhook at the receiver (0 when the webhook came first). */
  p50: number;
  p95: number;
  max: number;
  /** The booking request itself (POST sent → 201). */
  bookingP50: number;
}

async function measure(kind: 'ours' | 'baseline', load: 'trickle' | 'burst'): Promise<Run> {
  const receiver = await startReceiver();
  const bank = await startBank(kind, receiver.url);
  try {
    const booked: { id: string; sentAt: number; bookedAt: number }[] = [];
    if (load === 'trickle') {
      for (let i = 0; i < TRICKLE; i++) {
        const b = await book(bank.url, i);
        booked.push(b);
        // One at a time: the next booking after this one's webhook arrived.
        const deadline = Date.now() + 10_000;
        while (!receiver.arrivals.has(b.id)) {
          if (Date.now() > deadline) throw new Error(`${kind}: no webhook for ${b.id} within 10 s`);
          await new Promise((r) => setTimeout(r, 1));
        }
      }
    } else {
      booked.push(...(await Promise.all(Array.from({ length: BURST }, (_, i) => book(bank.url, i)))));
    }
    const deadline = Date.now() + 60_000;
    while (booked.some((b) => !receiver.arrivals.has(b.id))) {
      if (Date.now() > deadline) throw new Error(`${kind} ${load}: webhooks missing after 60 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (receiver.duplicates.length > 0)
      throw new Error(
        `${kind} ${load}: events delivered twice: ${receiver.duplicates.slice(0, 3).join(', ')}`,
      );
    const latencies = booked
      .map((b) => Math.max(0, receiver.arrivals.get(b.id)! - b.bookedAt))
      .sort((a, b) => a - b);
    const bookings = booked.map((b) => b.bookedAt - b.sentAt).sort((a, b) => a - b);
    const pick = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
    return {
      p50: pick(latencies, 0.5),
      p95: pick(latencies, 0.95),
      max: latencies.at(-1)!,
      bookingP50: pick(bookings, 0.5),
    };
  } finally {
    await bank.close();
    await receiver.close();
  }
}

const describeRun = (r: Run) =>
  `p50 ${r.p50.toFixed(0)} / p95 ${r.p95.toFixed(0)} / max ${r.max.toFixed(0)} ms`;

export async function benchBankWebhooks(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const load of ['trickle', 'burst'] as const) {
    const ours: Run[] = [];
    const base: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(await measure('ours', load));
      base.push(await measure('baseline', load));
    }
    const figure = median(ours.map((r) => r.p95));
    const baseline = median(base.map((r) => r.p95));
    const ratios = base.map((b, i) => b.p95 / Math.max(1, ours[i]!.p95));
    results.push({
      name:
        load === 'trickle'
          ? `sandbox bank: booked transfer → webhook received, one booking at a time (${TRICKLE}), p95`
          : `sandbox bank: booked transfer → webhook received, ${BURST} bookings at once, p95`,
      figure,
      unit: 'ms',
      baseline,
      baselineName: 'the pre-#16 sender: ≤ 20 per pass, one after another, 500 ms apart',
      ratio: median(ratios),
      target: '≤ 100 ms (#16)',
      notes:
        `lower is better; ratio = baseline ÷ ours, median of ${ROUNDS} alternated pairs (spread ${spread(ratios)}). ` +
        `From the bank's 201 for POST /api/transfers (booked) to the signed webhook at the receiver (0 when the ` +
        `webhook came first; ratio floors ours at 1 ms), the bank on Postgres with its ` +
        `500 ms retry pass on; every event arrived exactly once. Ours: ${ours.map(describeRun).join('; ')}. ` +
        `Baseline: ${base.map(describeRun).join('; ')}. ` +
        `${figure <= 100 ? 'Target met.' : 'Target NOT met.'}`,
    });
  }
  return results;
}

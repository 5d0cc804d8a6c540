/**
 * The sandbox bank's webhook sender (#16 item 4): a booked transfer's webhook leaves at once (no timer pass needed),
 * deliveries run concurrently, and passes racing each other never send one event twice. Latency is measured by
 * test/bench/bank-webhooks.bench.ts, not asserted here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import type { BankStore, DeliveryRow } from '../../sandbox/bank/store.js';
import { WebhookSender } from '../../sandbox/bank/webhooks.js';
import { serveOnFreePort, startTestBank, waitFor } from '../helpers/bank.js';
import { testConfig } from '../helpers/config.js';

const config = testConfig();
const auth = { Authorization: `Bearer ${config.bank.apiKey}`, 'Content-Type': 'application/json' };

let bank: SandboxBank | undefined;
let receiver: Awaited<ReturnType<typeof serveOnFreePort>> | undefined;
afterEach(async () => {
  await bank?.close({ dropSchema: true });
  await receiver?.close();
  bank = undefined;
  receiver = undefined;
});

const book = async (i: number): Promise<string> => {
  const res = await fetch(`${bank!.url}/api/transfers`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ reference: `WH${i}`, amount: '10', from_account: 'DE89370400440532013000' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
};

const transferIdOf = (body: string) =>
  (JSON.parse(body) as { data: { transfer: { id: string } } }).data.transfer.id;

describe('sandbox bank webhook delivery', () => {
  it('delivers a booked transfer right away, with no timer pass and no explicit call', async () => {
    const arrived: string[] = [];
    receiver = await serveOnFreePort(async (req) => {
      arrived.push(transferIdOf(await req.text()));
      return new Response('{}');
    });
    // deliveryIntervalMs: false: no timer; only the booking itself can start the delivery.
    bank = await startTestBank(config, `${receiver.url}/webhooks/bank`);
    const id = await book(1);
    await waitFor(() => arrived.includes(id), 10_000, 'the webhook of the booking');
    // Successes are recorded a few ms after the answer, many in one statement.
    const row = () =>
      bank!.store.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('transfer_id', '=', id)
        .executeTakeFirstOrThrow();
    await waitFor(async () => (await row()).status === 'delivered', 10_000, 'the delivery recorded');
    expect(await row()).toMatchObject({ status: 'delivered', attempts: 1, last_status: 200 });
    expect(arrived).toEqual([id]);
  });

  it('a booking made while a pass holds every slot for its claim leaves as soon as the claim ends', async () => {
    const arrived: string[] = [];
    receiver = await serveOnFreePort(async (req) => {
      arrived.push((JSON.parse(await req.text()) as { id: string }).id);
      return new Response('{}');
    });
    // A store whose claim waits for the test: the pass reserves every free slot while it claims.
    let endClaim!: () => void;
    const claimed = new Promise<void>((r) => {
      endClaim = r;
    });
    const recorded: string[] = [];
    const store = {
      claimDueDeliveries: async () => {
        await claimed;
        return [];
      },
      recordDelivered: async (rows: { eventId: string }[]) => {
        recorded.push(...rows.map((r) => r.eventId));
      },
      recordDelivery: async () => {},
    } as unknown as BankStore;
    const sender = new WebhookSender(store, {
      url: `${receiver.url}/webhooks/bank`,
      secret: 'test-secret',
      baseDelayMs: 20,
      maxDelayMs: 200,
      maxAttempts: 3,
      timeoutMs: 5_000,
    });
    const pass = sender.deliverDue();
    const row = {
      event_id: 'evt_booked',
      transfer_id: 'tr_booked',
      body: JSON.stringify({ id: 'evt_booked', data: { transfer: { id: 'tr_booked' } } }),
      attempts: 0,
    } as unknown as DeliveryRow;
    sender.deliverBooked(row);
    expect(arrived).toEqual([]);
    endClaim();
    await pass;
    await waitFor(() => arrived.includes('evt_booked'), 5_000, 'the booked delivery after the claim');
    await sender.stop();
    expect(recorded).toEqual(['evt_booked']);
  });

  it('sends deliveries concurrently, and racing passes send each event exactly once', async () => {
    let inFlight = 0;
    let peak = 0;
    const arrivals = new Map<string, number>();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    receiver = await serveOnFreePort(async (req) => {
      const body = await req.text();
      const event = (JSON.parse(body) as { id: string }).id;
      arrivals.set(event, (arrivals.get(event) ?? 0) + 1);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await gate; // hold every response until the test has seen them in flight together
      inFlight--;
      return new Response('{}');
    });
    bank = await startTestBank(config, `${receiver.url}/webhooks/bank`);
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => book(i)));
    // More passes racing the ones the bookings started, as a timer tick and a retry would.
    const racing = Promise.all(Array.from({ length: 8 }, () => bank!.sender.deliverDue()));
    await waitFor(() => peak >= 12, 10_000, '12 deliveries in flight at once');
    release();
    await racing;
    await waitFor(
      async () => {
        const rows = await bank!.store.db
          .selectFrom('webhook_deliveries')
          .select(['status', 'attempts'])
          .where('transfer_id', 'in', ids)
          .execute();
        return rows.length === 12 && rows.every((r) => r.status === 'delivered');
      },
      10_000,
      'every delivery recorded',
    );
    expect(arrivals.size).toBe(12);
    expect([...arrivals.values()].every((n) => n === 1)).toBe(true);
    // Nothing left due: another pass sends nothing.
    expect(await bank.sender.deliverDue()).toBe(0);
    expect([...arrivals.values()].every((n) => n === 1)).toBe(true);
  });
});

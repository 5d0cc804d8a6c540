import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBankSignature } from '../../core/bank/signature.js';
import type { SandboxBank } from '../../sandbox/bank/server.js';
import { retryDelayMs } from '../../sandbox/bank/webhooks.js';
import { serveOnFreePort, startTestBank, waitFor } from '../helpers/bank.js';
import { testConfig } from '../helpers/config.js';

const config = testConfig();
const auth = { Authorization: `Bearer ${config.bank.apiKey}`, 'Content-Type': 'application/json' };

interface Received {
  body: string;
  signature: string | undefined;
  status: number;
}

describe('sandbox bank (issue 7 part 4: the simulated PSP)', () => {
  let bank: SandboxBank;
  let receiver: Awaited<ReturnType<typeof serveOnFreePort>>;
  const received: Received[] = [];
  /** How many upcoming webhook requests the receiver answers with 503. */
  let failNext = 0;

  beforeAll(async () => {
    receiver = await serveOnFreePort(async (req) => {
      const body = await req.text();
      const status = failNext > 0 ? 503 : 200;
      if (failNext > 0) failNext--;
      received.push({ body, signature: req.headers.get('X-Bank-Signature') ?? undefined, status });
      return new Response(JSON.stringify({ ok: status === 200 }), { status });
    });
    bank = await startTestBank(config, `${receiver.url}/webhooks/bank`);
  });
  afterAll(async () => {
    await bank?.close({ dropSchema: true });
    await receiver?.close();
  });

  const send = (body: Record<string, unknown>) =>
    fetch(`${bank.url}/api/transfers`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  const payout = (key: string | undefined, body: Record<string, unknown>) =>
    fetch(`${bank.url}/api/payouts`, {
      method: 'POST',
      headers: { ...auth, ...(key ? { 'Idempotency-Key': key } : {}) },
      body: JSON.stringify(body),
    });

  it('refuses API calls without the Bearer API key (401 {"error"})', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong-key-wrong-key' }] as Record<string, string>[]) {
      const res = await fetch(`${bank.url}/api/transfers`, { headers });
      expect(res.status).toBe(401);
      expect(typeof ((await res.json()) as { error: unknown }).error).toBe('string');
    }
  });

  it('validates transfers: amount with at most 7 decimals and > 0, account format', async () => {
    for (const bad of [
      { amount: '0', from_account: 'DE89370400440532013000' },
      { amount: '1.12345678', from_account: 'DE89370400440532013000' },
      { amount: '10', from_account: 'no spaces allowed' },
    ]) {
      const res = await send(bad);
      expect(res.status).toBe(400);
    }
  });

  it('delivers a signed transfer.received webhook, retrying with back-off until 2xx', async () => {
    failNext = 2;
    const before = received.length;
    const res = await send({
      reference: 'DEPRETRY01',
      amount: '25.50',
      from_account: 'DE89370400440532013000',
    });
    expect(res.status).toBe(201);
    const transfer = (await res.json()) as { id: string };
    const { event_id } = (await bank.store.db
      .selectFrom('webhook_deliveries')
      .select('event_id')
      .where('transfer_id', '=', transfer.id)
      .executeTakeFirstOrThrow()) as { event_id: string };

    // Drive delivery passes until it is delivered (each failure pushes next_attempt_at back).
    const delivered = await waitFor(
      async () => {
        await bank.sender.deliverDue();
        const d = await bank.store.delivery(event_id);
        return d?.status === 'delivered' ? d : undefined;
      },
      20_000,
      'webhook delivery',
    );
    expect(delivered.attempts).toBe(3);
    const attempts = received.slice(before);
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    // Every attempt carries the same body, signed afresh and verifiable with the shared secret.
    for (const a of attempts) {
      expect(a.body).toBe(attempts[0]!.body);
      expect(() => verifyBankSignature(a.signature, a.body, config.bank.webhookSecret, 300)).not.toThrow();
    }
    const event = JSON.parse(attempts[0]!.body) as {
      id: string;
      type: string;
      data: { transfer: { id: string; amount: string } };
    };
    expect(event).toMatchObject({
      id: event_id,
      type: 'transfer.received',
      data: { transfer: { id: transfer.id } },
    });
    expect(event.data.transfer.amount).toBe('25.5000000');
  });

  it('backs off exponentially with a cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => retryDelayMs(n, 1000, 60_000))).toEqual([
      1000, 2000, 4000, 8000, 60_000,
    ]);
  });

  it('lists incoming transfers by a stable cursor: in order, no gaps, no duplicates, even while transfers arrive', async () => {
    const start = await fetch(`${bank.url}/api/transfers?limit=100`, { headers: auth }).then((r) => r.json());
    let cursor: string | null = (start as { next_cursor: string | null }).next_cursor;
    const sentIds: string[] = [];
    const seen: string[] = [];
    const sending = (async () => {
      for (let i = 0; i < 12; i++) {
        const r = await send({
          reference: `DEPCUR${i}`,
          amount: `${i + 1}.00`,
          from_account: 'GB33BUKB20201555555555',
        });
        sentIds.push(((await r.json()) as { id: string }).id);
      }
    })();
    let done = false;
    void sending.then(() => {
      done = true;
    });
    // Read pages of 3 while the sender is still sending; then drain.
    for (;;) {
      const finished = done;
      const q = new URLSearchParams({ limit: '3', ...(cursor ? { cursor } : {}) });
      const page = (await fetch(`${bank.url}/api/transfers?${q}`, { headers: auth }).then((r) =>
        r.json(),
      )) as {
        transfers: { id: string }[];
        next_cursor: string | null;
        has_more: boolean;
      };
      seen.push(...page.transfers.map((t) => t.id));
      cursor = page.next_cursor;
      if (finished && !page.has_more) break;
    }
    await sending;
    expect(seen).toEqual(sentIds);
    // The last cursor is stable: re-reading from it returns nothing new.
    const again = (await fetch(`${bank.url}/api/transfers?cursor=${cursor}`, { headers: auth }).then((r) =>
      r.json(),
    )) as {
      transfers: unknown[];
      next_cursor: string;
    };
    expect(again.transfers).toEqual([]);
    expect(again.next_cursor).toBe(cursor);
    const bad = await fetch(`${bank.url}/api/transfers?cursor=garbage`, { headers: auth });
    expect(bad.status).toBe(400);
  });

  it('pays out once per Idempotency-Key: a repeat returns the same payout, never a second one', async () => {
    const body = {
      amount: '40.00',
      currency: 'USD',
      account_number: 'NL91ABNA0417164300',
      account_name: 'Ann Lee',
    };
    const first = await payout('payout-idem-1', body);
    expect(first.status).toBe(201);
    const second = await payout('payout-idem-1', body);
    expect(second.status).toBe(200);
    expect(second.headers.get('Idempotent-Replayed')).toBe('true');
    const [a, b] = (await Promise.all([first.json(), second.json()])) as { id: string }[];
    expect(b!.id).toBe(a!.id);
    const count = await bank.store.db
      .selectFrom('payouts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('idempotency_key', '=', 'payout-idem-1')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    // Concurrent repeats too.
    const burst = await Promise.all(
      [1, 2, 3, 4].map(() => payout('payout-idem-2', body).then((r) => r.json())),
    );
    expect(new Set(burst.map((p) => (p as { id: string }).id)).size).toBe(1);
  });

  it('rejects a reused Idempotency-Key with other parameters (409) and a missing key (400)', async () => {
    const body = {
      amount: '10',
      currency: 'USD',
      account_number: 'NL91ABNA0417164300',
      account_name: 'Ann Lee',
    };
    expect((await payout('payout-conflict', body)).status).toBe(201);
    expect((await payout('payout-conflict', { ...body, amount: '11' })).status).toBe(409);
    expect((await payout(undefined, body)).status).toBe(400);
  });

  it('settles payouts by the tester rules: ...0000 fails, ...9999 stays pending, others complete', async () => {
    const cases = [
      ['payout-rule-ok', 'NL91ABNA0417164300', 'completed'],
      ['payout-rule-fail', 'NL91ABNA0417160000', 'failed'],
      ['payout-rule-pending', 'NL91ABNA0417169999', 'pending'],
    ] as const;
    for (const [key, account, expected] of cases) {
      const res = await payout(key, {
        amount: '5',
        currency: 'USD',
        account_number: account,
        account_name: 'Bo',
      });
      expect(((await res.json()) as { status: string }).status).toBe('pending');
      const got = (await fetch(`${bank.url}/api/payouts/${key}`, { headers: auth }).then((r) =>
        r.json(),
      )) as {
        status: string;
        failure_reason: string | null;
      };
      expect(got.status).toBe(expected);
      if (expected === 'failed') expect(got.failure_reason).toBe('account_closed');
    }
    expect((await fetch(`${bank.url}/api/payouts/nope`, { headers: auth })).status).toBe(404);
  });

  it('assigns one virtual account number per customer', async () => {
    const assign = (customer_ref: string) =>
      fetch(`${bank.url}/api/virtual-accounts`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ customer_ref }),
      }).then((r) => r.json() as Promise<{ account_number: string }>);
    const a1 = await assign('GA-customer-1');
    const a2 = await assign('GA-customer-1');
    const b = await assign('GA-customer-2');
    expect(a1.account_number).toBe(a2.account_number);
    expect(b.account_number).not.toBe(a1.account_number);
  });

  it('serves a customer page whose form sends a transfer (values escaped)', async () => {
    const page = await fetch(`${bank.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post" action="/send">');
    const form = new URLSearchParams({
      from_name: 'Eve <script>',
      from_account: 'DE89370400440532013000',
      amount: '12.34',
      reference: '<b>DEPFORM1</b>',
    });
    const res = await fetch(`${bank.url}/send`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/\?sent=tr_/);
    const html = await fetch(`${bank.url}${location}`).then((r) => r.text());
    expect(html).toContain('&lt;b&gt;DEPFORM1&lt;/b&gt;');
    expect(html).not.toContain('<b>DEPFORM1</b>');
    const invalid = await fetch(`${bank.url}/send`, {
      method: 'POST',
      body: new URLSearchParams({ from_account: 'DE89370400440532013000', amount: 'ten' }),
      redirect: 'manual',
    });
    expect(invalid.headers.get('location')).toMatch(/^\/\?error=/);
  });

  it('npm run bank:send sends a transfer through the API', async () => {
    const { stdout } = await promisify(execFile)(
      'npx',
      [
        'tsx',
        'scripts/bank-send.ts',
        '--reference',
        'DEPCLI01',
        '--amount',
        '100.00',
        '--from',
        'FR7630006000011234567890189',
      ],
      {
        env: { ...process.env, PROFILE: 'sandbox', BANK_API_URL: bank.url, LOG_LEVEL: 'silent' },
        timeout: 60_000,
      },
    );
    const id = /transfer (tr_[0-9a-f]+)/.exec(stdout)?.[1];
    expect(id).toBeDefined();
    const row = await bank.store.db
      .selectFrom('transfers')
      .selectAll()
      .where('id', '=', id!)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      reference: 'DEPCLI01',
      amount: '100.0000000',
      from_account: 'FR7630006000011234567890189',
    });
  });
});

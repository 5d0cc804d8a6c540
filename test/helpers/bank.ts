import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { inject } from 'vitest';
import type { AppConfig } from '../../config/index.js';
import { createLogger } from '../../config/logger.js';
import { type SandboxBank, type SandboxBankOptions, startSandboxBank } from '../../sandbox/bank/server.js';

/** A sandbox bank on a free port with its own Postgres schema, fast retries, and deliveries driven by the test. */
export function startTestBank(
  config: AppConfig,
  webhookUrl: string,
  overrides: Partial<SandboxBankOptions> = {},
): Promise<SandboxBank> {
  return startSandboxBank({
    dbUrl: inject('pgUrl'),
    schema: `sbank_${randomBytes(5).toString('hex')}`,
    port: 0,
    apiKey: config.bank.apiKey,
    webhookUrl,
    webhookSecret: config.bank.webhookSecret,
    logger: createLogger('sandbox-bank', 'silent'),
    payoutSettleMs: 0,
    webhookBaseDelayMs: 20,
    webhookMaxDelayMs: 200,
    deliveryIntervalMs: false,
    ...overrides,
  });
}

/** Serves a fetch handler on a free local port (an anchor app, a webhook receiver). */
export async function serveOnFreePort(
  fetchHandler: (req: Request) => Response | Promise<Response>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: fetchHandler, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The user sends `amount` with `reference` from the sandbox bank's customer page (the form's own POST). */
export async function bankTransfer(
  bankUrl: string,
  reference: string,
  amount: string,
  currency = 'USD',
): Promise<void> {
  const res = await fetch(`${bankUrl}/send`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      reference,
      amount,
      currency,
      from_account: 'DE89370400440532013000',
    }).toString(),
    redirect: 'manual',
  });
  const location = res.headers.get('location') ?? '';
  if (res.status !== 303 || !location.includes('sent='))
    throw new Error(`bank transfer refused: ${location}`);
}

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Keypair } from '@stellar/stellar-sdk';
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { errorHandler } from '../../api/middleware/errors.js';
import { issueToken } from '../../api/sep10/jwt.js';
import { CallbackDispatcher } from '../../api/sep12/callbacks.js';
import { createKycContext, sep12App } from '../../api/sep12/index.js';
import type { KycContext } from '../../api/sep12/service.js';
import { kycWebhookApp } from '../../api/sep12/webhook.js';
import type { AppConfig } from '../../config/index.js';
import { createLogger, type Logger } from '../../config/logger.js';
import { type SandboxKyc, startSandboxKyc } from '../../sandbox/kyc/server.js';
import { freePort } from '../../scripts/lib/ports.js';
import { testConfig } from '../helpers/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

/**
 * A real KYC stack for tests: a fresh Postgres schema, the SEP-12 app served over HTTP on a free port (so the
 * sandbox provider's webhooks reach it), the real sandbox KYC provider in-process, and a temp upload dir.
 */
export interface KycHarness {
  app: Hono;
  config: AppConfig;
  ctx: KycContext;
  tdb: TestDb;
  sandbox: SandboxKyc;
  /** Closes the sandbox provider and starts it again on the same port (its checks survive with `persistSandbox`). */
  restartSandbox(): Promise<void>;
  uploadDir: string;
  baseUrl: string;
  token(sub: string): Promise<string>;
  close(): Promise<void>;
}

export async function startKycHarness(
  opts: {
    env?: Record<string, string>;
    delayMs?: number;
    temporal?: Client;
    logger?: Logger;
    tdb?: TestDb;
    /** Keep the sandbox provider's checks in Postgres (its own schema), as `npm start` does. */
    persistSandbox?: boolean;
  } = {},
): Promise<KycHarness> {
  const tdb = opts.tdb ?? (await createTestDb('kyc'));
  const uploadDir = await mkdtemp(join(tmpdir(), 'kyc-uploads-'));
  const apiPort = await freePort();
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const logger = opts.logger ?? createLogger('kyc-test', 'silent');
  const base = testConfig({
    PUBLIC_URL: baseUrl,
    KYC_UPLOAD_DIR: uploadDir,
    KYC_UPLOAD_MAX_BYTES: String(64 * 1024),
    ...(opts.env ?? {}),
  });
  const sandboxOptions = {
    port: 0,
    webhookUrl: `${baseUrl}/webhooks/kyc`,
    webhookSecret: base.kyc.webhookSecret,
    delayMs: opts.delayMs ?? 50,
    retryBaseMs: 100,
    logger,
    ...(opts.persistSandbox ? { dbUrl: tdb.url, schema: `${tdb.schema}_provider` } : {}),
  };
  let sandbox = await startSandboxKyc(sandboxOptions);
  const config: AppConfig = { ...base, kyc: { ...base.kyc, providerUrl: sandbox.url } };
  const deps = { config, db: tdb.db, logger, temporal: opts.temporal as Client };
  const ctx = createKycContext(deps, {
    temporal: opts.temporal,
    callbacks: new CallbackDispatcher({
      signingSecret: config.stellar.signingSecret,
      logger,
      backoffMs: [100, 200, 400],
    }),
  });
  const app = new Hono();
  app.route('/kyc', sep12App(deps, ctx));
  app.route('/webhooks/kyc', kycWebhookApp(ctx));
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError(errorHandler(logger));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: apiPort }, () => resolve(s));
  });
  const harness: KycHarness = {
    app,
    config,
    ctx,
    tdb,
    sandbox,
    async restartSandbox() {
      await sandbox.close();
      sandbox = await startSandboxKyc({ ...sandboxOptions, port: sandbox.port });
      harness.sandbox = sandbox;
    },
    uploadDir,
    baseUrl,
    token: (sub) => issueToken(config, { sub }),
    async close() {
      await ctx.callbacks.idle();
      await sandbox.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (sandboxOptions.schema) {
        await sql`drop schema if exists ${sql.id(sandboxOptions.schema)} cascade`.execute(tdb.db);
      }
      await tdb.destroy();
      await rm(uploadDir, { recursive: true, force: true });
    },
  };
  return harness;
}

export const newAccount = () => Keypair.random().publicKey();

/** Polls `check` until it returns a truthy value or the deadline passes (never a bare sleep). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  label = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export function jsonPut(token: string, body: unknown): RequestInit {
  return {
    method: 'PUT',
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 1, 2, 3, 4,
]);
export const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);

export function tier1Fields(lastName = 'Doe'): Record<string, string> {
  return { first_name: 'Jane', last_name: lastName, email_address: 'jane@example.com' };
}

/** A captured wallet callback. */
export interface ReceivedCallback {
  url: string;
  body: string;
  signature: string | undefined;
}

/** A tiny wallet endpoint that records every callback it gets; `failFirst` answers 500 that many times. */
export async function startCallbackReceiver(failFirst = 0): Promise<{
  url: string;
  received: ReceivedCallback[];
  close(): Promise<void>;
}> {
  const received: ReceivedCallback[] = [];
  let failures = failFirst;
  // Read once after listen: a callback whose body ends while close() runs finds server.address() null.
  let port = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        res.statusCode = 500;
        res.end();
        return;
      }
      received.push({
        url: `http://127.0.0.1:${port}${req.url}`,
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers.signature as string | undefined,
      });
      res.statusCode = 200;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/kyc-callback`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

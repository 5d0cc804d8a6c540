import { randomBytes } from 'node:crypto';
import { Asset, Horizon, type Keypair, Networks, Operation, TransactionBuilder } from '@stellar/stellar-sdk';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { createDb } from '../../db/index.js';
import {
  createHorizonSandbox,
  type HorizonSandbox,
  type HorizonSandboxOptions,
} from '../../sandbox/horizon/index.js';

export interface SandboxHorizonHandle {
  /** http://127.0.0.1:<port> — use as HORIZON_URL */
  url: string;
  passphrase: string;
  /** `new Horizon.Server(url, { allowHttp: true })` */
  server: Horizon.Server;
  /** creates `address` with 10,000 XLM (throws if it already exists) */
  friendbot(address: string): Promise<Record<string, unknown>>;
  /** the network root (funds friendbot; has ~100 billion XLM) */
  rootKeypair: Keypair;
  /** closes a ledger immediately instead of waiting for the timer */
  closeLedgerNow(): Promise<void>;
  sandbox: HorizonSandbox;
  schema: string;
  stop(): Promise<void>;
}

export interface StartSandboxHorizonOptions
  extends Partial<Omit<HorizonSandboxOptions, 'db' | 'databaseUrl'>> {
  /** keep the Postgres schema on stop (to start again on the same state); default false = dropped */
  keepSchema?: boolean;
}

/**
 * An in-process sandbox Horizon on a free port with its own Postgres schema and fast ledgers (200 ms).
 * Passphrase: Networks.TESTNET unless given, matching the sandbox profile's config.
 */
export async function startSandboxHorizon(
  opts: StartSandboxHorizonOptions = {},
): Promise<SandboxHorizonHandle> {
  const databaseUrl = inject('pgUrl');
  const schema = opts.schema ?? `hz_${randomBytes(6).toString('hex')}`;
  const passphrase = opts.networkPassphrase ?? Networks.TESTNET;
  const sandbox = createHorizonSandbox({
    ledgerCloseMs: 200,
    onError: (err, where) => console.error(`[sandbox Horizon] ${where}:`, err),
    ...opts,
    databaseUrl,
    schema,
    networkPassphrase: passphrase,
  });
  const { url } = await sandbox.start(0);
  const server = new Horizon.Server(url, { allowHttp: true });
  return {
    url,
    passphrase,
    server,
    schema,
    sandbox,
    rootKeypair: sandbox.rootKeypair,
    closeLedgerNow: () => sandbox.closeLedgerNow(),
    async friendbot(address: string) {
      const res = await fetch(`${url}/friendbot?addr=${encodeURIComponent(address)}`);
      const body = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`friendbot failed (${res.status}): ${JSON.stringify(body)}`);
      return body;
    },
    async stop() {
      await sandbox.stop();
      if (!opts.keepSchema) {
        const admin = createDb({ url: databaseUrl, poolSize: 1 });
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
        await admin.destroy();
      }
    },
  };
}

/** `holder` adds a trust line to `code`:`issuer` (a ChangeTrust of its own, signed by it). */
export async function trustAsset(
  hz: Pick<SandboxHorizonHandle, 'server' | 'passphrase'>,
  holder: Keypair,
  asset: { code: string; issuer: string },
): Promise<void> {
  const account = await hz.server.loadAccount(holder.publicKey());
  const tx = new TransactionBuilder(account, { fee: '100', networkPassphrase: hz.passphrase })
    .addOperation(Operation.changeTrust({ asset: new Asset(asset.code, asset.issuer) }))
    .setTimeout(60)
    .build();
  tx.sign(holder);
  await hz.server.submitTransaction(tx);
}

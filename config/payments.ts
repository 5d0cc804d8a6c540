import { createHash } from 'node:crypto';
import { Keypair } from '@stellar/stellar-sdk';
import type { BuildContext } from './context.js';
import type { Env } from './schema.js';

export const SANDBOX_CHANNEL_COUNT = 4;

/** Sandbox channel accounts, derived like the other sandbox keys (publicly known: sandbox only). */
export function sandboxChannelKeypair(index: number): Keypair {
  const seed = createHash('sha256').update(`stellar-temporal-anchor/sandbox/channel-${index}`).digest();
  return Keypair.fromRawEd25519Seed(seed);
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Stellar payments out (activities/stellar.ts) and in (the payment observer). */
export function buildPaymentsConfig(e: Env, ctx: BuildContext, distributionAccount: string) {
  const { sandbox, issues } = ctx;
  const receivingAccounts = list(e.RECEIVING_ACCOUNTS);
  let channelSecrets = list(e.CHANNEL_SECRETS);
  if (channelSecrets.length === 0 && sandbox) {
    channelSecrets = Array.from({ length: SANDBOX_CHANNEL_COUNT }, (_, i) =>
      sandboxChannelKeypair(i).secret(),
    );
  }
  const channelAccounts: string[] = [];
  const known = new Set(
    Array.from({ length: SANDBOX_CHANNEL_COUNT }, (_, i) => sandboxChannelKeypair(i).secret()),
  );
  for (const secret of channelSecrets) {
    try {
      channelAccounts.push(Keypair.fromSecret(secret).publicKey());
    } catch {
      issues.push({ key: 'CHANNEL_SECRETS', message: 'every entry must be a Stellar secret seed (S...)' });
    }
    if (!sandbox && known.has(secret)) {
      issues.push({
        key: 'CHANNEL_SECRETS',
        message: `contains a publicly known sandbox secret (${e.PROFILE})`,
      });
    }
  }
  if (distributionAccount && channelAccounts.includes(distributionAccount)) {
    issues.push({ key: 'CHANNEL_SECRETS', message: 'a channel must not be the distribution account' });
  }
  return {
    /** Accounts the payment observer watches (default: the distribution account). */
    receivingAccounts: receivingAccounts.length > 0 ? receivingAccounts : [distributionAccount],
    /** Channel accounts: transaction sources with their own sequence numbers, so payments go out in parallel. */
    channelSecrets,
    channelAccounts,
    /** Validity window of every envelope we sign; a retry rebuilds only after it has passed. */
    txTimeoutSeconds: e.STELLAR_TX_TIMEOUT_SECONDS,
    /** Deposit payouts that arrive within this window share one transaction (≤ 100 operations); 0 = never. */
    payoutBatchWindowMs: e.PAYOUT_BATCH_WINDOW_MS,
    /** Highest fee per operation we bid, in stroops. */
    maxFeeStroops: e.STELLAR_MAX_FEE_STROOPS,
    observerPollIntervalMs: e.OBSERVER_POLL_INTERVAL_MS,
    observerPageSize: e.OBSERVER_PAGE_SIZE,
    /** Batches an observer run handles before it continues as new (bounds the workflow history). */
    observerBatchesPerRun: e.OBSERVER_BATCHES_PER_RUN,
  };
}

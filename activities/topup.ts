import {
  Asset,
  FeeBumpTransaction,
  type Horizon,
  Keypair,
  Operation,
  type Transaction,
  TransactionBuilder,
} from '@stellar/stellar-sdk';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../config/index.js';
import { anchoredBalance, horizonFor, loadAccount } from '../core/horizon.js';
import { acknowledgeAlertsOf, raiseAlert } from '../db/alerts.js';
import type { Db } from '../db/index.js';
import { getTopUp, insertTopUp, updateTopUp } from '../db/topups.js';
import { compareAmounts, formatFixed7, parseAmount } from '../stellar/money.js';
import { distributionToppedUpSignal } from '../workflows/messages.js';

/**
 * Issuer → distribution top-ups (issue 9; production guide: "the issuing account should send small amounts to the
 * distribution account frequently"). In the sandbox the issuer key is at hand and signs. On testnet/mainnet the
 * anchor never holds it: the unsigned envelope is published (admin API + alert) and the cold signers' envelope is
 * checked against the issuer's signers and medium threshold on Horizon before it is submitted.
 *
 * Idempotency: the top-up row (with the transaction hash) is stored before anything is submitted; submission first
 * asks Horizon whether the hash already landed, and a retry resubmits the very same stored envelope.
 */

export const TOPUP_ALERT_KIND = 'topup_awaiting_signature';

export interface TopUpPlan {
  balance: string;
  threshold: string;
  target: string;
  /** Amount to send, or null when the balance is at or above the threshold. */
  amount: string | null;
  /** sandbox: the anchor signs with the sandbox issuer key; cold: signatures come from offline signers. */
  mode: 'sandbox' | 'cold';
  signatureTimeout: string;
}

export interface PreparedTopUp {
  topUpId: string;
  txHash: string;
  unsignedXdr: string;
  /** True when the envelope is already signed (sandbox) and can be submitted right away. */
  signed: boolean;
}

export type EnvelopeVerdict = { ok: true; weight: number } | { ok: false; reason: string };

export interface TopUpActivityDeps {
  config: AppConfig;
  db: Db;
  horizon?: Horizon.Server | undefined;
}

export function createTopUpActivities(deps: TopUpActivityDeps) {
  const { config, db } = deps;
  const horizon = deps.horizon ?? horizonFor(config);
  const asset = () => new Asset(config.stellar.assetCode, config.stellar.issuerAccount);

  async function issuerAccount() {
    const issuer = await loadAccount(config, config.stellar.issuerAccount);
    if (!issuer) {
      throw ApplicationFailure.nonRetryable(
        `issuer ${config.stellar.issuerAccount} does not exist`,
        'IssuerMissing',
      );
    }
    return issuer;
  }

  /** Closes the awaiting-signature alert of a top-up that no longer awaits anything. */
  async function acknowledgeAlert(topUpId: string): Promise<void> {
    await acknowledgeAlertsOf(db, TOPUP_ALERT_KIND, topUpId);
  }

  async function hashLanded(hash: string): Promise<{ ledger: number } | undefined> {
    try {
      const tx = await horizon.transactions().transaction(hash).call();
      return tx.successful ? { ledger: tx.ledger_attr } : undefined;
    } catch (err) {
      if ((err as { response?: { status?: number } }).response?.status === 404) return undefined;
      throw err;
    }
  }

  return {
    async topUpCheckDistribution(): Promise<TopUpPlan> {
      const account = await loadAccount(config, config.stellar.distributionAccount);
      const line = account ? anchoredBalance(config, account) : undefined;
      if (!line) {
        throw ApplicationFailure.nonRetryable(
          `distribution account ${config.stellar.distributionAccount} has no trust line for ${config.stellar.assetCode}: run npm run accounts:setup`,
          'DistributionNotReady',
        );
      }
      const { threshold, target, signatureTimeout } = config.ops.topUp;
      const below = compareAmounts(line.balance, threshold) < 0;
      return {
        balance: line.balance,
        threshold,
        target,
        amount: below ? formatFixed7(parseAmount(target) - parseAmount(line.balance)) : null,
        mode: config.stellar.issuerSecret ? 'sandbox' : 'cold',
        signatureTimeout,
      };
    },

    async topUpPrepare(input: {
      topUpId: string;
      workflowId: string;
      amount: string;
      balanceBefore: string;
      /** Seconds the envelope stays valid (its time bound): an expired top-up can never land later. */
      validForSeconds: number;
    }): Promise<PreparedTopUp> {
      const existing = await getTopUp(db, input.topUpId);
      if (existing) {
        return {
          topUpId: existing.id,
          txHash: existing.tx_hash,
          unsignedXdr: existing.unsigned_xdr,
          signed: existing.signed_xdr !== null,
        };
      }
      const issuer = await issuerAccount();
      const fee = String(Math.max(100, await horizon.fetchBaseFee().catch(() => 100)));
      const source = await horizon.loadAccount(issuer.account_id);
      const tx = new TransactionBuilder(source, { fee, networkPassphrase: config.stellar.networkPassphrase })
        .addOperation(
          Operation.payment({
            destination: config.stellar.distributionAccount,
            asset: asset(),
            amount: input.amount,
          }),
        )
        .setTimeout(input.validForSeconds)
        .build();
      const unsignedXdr = tx.toEnvelope().toXDR('base64');
      const txHash = tx.hash().toString('hex');
      let signedXdr: string | undefined;
      if (config.stellar.issuerSecret) {
        tx.sign(Keypair.fromSecret(config.stellar.issuerSecret));
        signedXdr = tx.toEnvelope().toXDR('base64');
      }
      const row = await insertTopUp(db, {
        id: input.topUpId,
        workflowId: input.workflowId,
        status: signedXdr ? 'submitting' : 'awaiting_signature',
        assetCode: config.stellar.assetCode,
        amount: input.amount,
        balanceBefore: input.balanceBefore,
        unsignedXdr,
        txHash,
        ...(signedXdr ? { signedXdr } : {}),
      });
      if (!signedXdr) {
        await raiseAlert(db, {
          kind: TOPUP_ALERT_KIND,
          transactionId: row.id,
          message: `top-up ${row.id}: ${input.amount} ${config.stellar.assetCode} issuer → distribution awaits the cold signers (GET /admin/topups/${row.id})`,
        });
      }
      return {
        topUpId: row.id,
        txHash: row.tx_hash,
        unsignedXdr: row.unsigned_xdr,
        signed: row.signed_xdr !== null,
      };
    },

    /**
     * Checks a cold-signed envelope before anything is submitted: the same transaction (hash), every signature from
     * a current signer of the issuer (a stray one would fail as tx_bad_auth_extra), total weight ≥ the medium
     * threshold (payments are medium-threshold operations). Accepted envelopes are stored for (re)submission.
     */
    async topUpVerifyEnvelope(input: { topUpId: string; envelopeXdr: string }): Promise<EnvelopeVerdict> {
      const row = await getTopUp(db, input.topUpId);
      if (!row) throw ApplicationFailure.nonRetryable(`no top-up ${input.topUpId}`, 'TopUpMissing');
      const reject = async (reason: string): Promise<EnvelopeVerdict> => {
        await updateTopUp(db, row.id, { last_rejection: reason });
        return { ok: false, reason };
      };
      let tx: Transaction;
      try {
        const parsed = TransactionBuilder.fromXDR(input.envelopeXdr, config.stellar.networkPassphrase);
        if (parsed instanceof FeeBumpTransaction)
          return reject('a fee-bump envelope: sign the top-up transaction itself');
        tx = parsed;
      } catch {
        return reject('not a transaction envelope (base64 XDR)');
      }
      if (tx.hash().toString('hex') !== row.tx_hash) {
        return reject(
          'not the published top-up transaction (hash differs): sign the unsigned XDR as published',
        );
      }
      const issuer = await issuerAccount();
      const signers = issuer.signers.filter((s) => s.type === 'ed25519_public_key' && s.weight > 0);
      const hash = tx.hash();
      const counted = new Set<string>();
      let weight = 0;
      for (const sig of tx.signatures) {
        const hint = sig.hint();
        const signer = signers.find((s) => {
          const kp = Keypair.fromPublicKey(s.key);
          return kp.signatureHint().equals(hint) && kp.verify(hash, sig.signature());
        });
        if (!signer) return reject('signed by a key that is not a signer of the issuing account');
        if (!counted.has(signer.key)) {
          counted.add(signer.key);
          weight += signer.weight;
        }
      }
      const needed = Math.max(1, issuer.thresholds.med_threshold);
      if (weight < needed) {
        return reject(`signature weight ${weight} is below the issuer's medium threshold ${needed}`);
      }
      await updateTopUp(db, row.id, {
        signed_xdr: input.envelopeXdr,
        status: 'submitting',
        last_rejection: null,
      });
      return { ok: true, weight };
    },

    /** Submits the stored envelope; a retry after an unknown outcome finds the hash on Horizon instead. */
    async topUpSubmit(input: { topUpId: string }): Promise<{ txHash: string; ledger: number }> {
      const row = await getTopUp(db, input.topUpId);
      if (!row?.signed_xdr)
        throw ApplicationFailure.nonRetryable(
          `top-up ${input.topUpId} has no signed envelope`,
          'TopUpNotSigned',
        );
      const finish = async (ledger: number) => {
        await updateTopUp(db, row.id, { status: 'completed', ledger, completed_at: new Date() });
        await acknowledgeAlert(row.id);
        return { txHash: row.tx_hash, ledger };
      };
      if (row.status === 'completed' && row.ledger !== null)
        return { txHash: row.tx_hash, ledger: row.ledger };
      const landed = await hashLanded(row.tx_hash);
      if (landed) return finish(landed.ledger);
      const envelope = TransactionBuilder.fromXDR(row.signed_xdr, config.stellar.networkPassphrase);
      try {
        const res = await horizon.submitTransaction(envelope, { skipMemoRequiredCheck: true });
        return finish(res.ledger);
      } catch (err) {
        const data = (
          err as {
            response?: {
              status?: number;
              data?: { extras?: { result_codes?: { transaction?: string; operations?: string[] } } };
            };
          }
        ).response;
        const codes = data?.data?.extras?.result_codes;
        if (!codes) throw err; // timeout or 5xx: outcome unknown, the retry looks the hash up first
        const again = await hashLanded(row.tx_hash);
        if (again) return finish(again.ledger);
        const reason = `rejected by the network: ${JSON.stringify(codes)}`;
        await updateTopUp(db, row.id, { status: 'failed', last_rejection: reason });
        throw ApplicationFailure.nonRetryable(reason, 'TopUpRejected');
      }
    },

    async topUpExpire(input: { topUpId: string }): Promise<void> {
      await updateTopUp(db, input.topUpId, { status: 'expired' });
      await acknowledgeAlert(input.topUpId);
    },

    /**
     * Wakes every running deposit that waits in pending_anchor for funds (distributionToppedUp signal). Best
     * effort: a deposit that misses it re-checks the balance on its own timer.
     */
    async topUpAnnounce(input: { topUpId: string; amount: string; txHash: string }): Promise<number> {
      const client = Context.current().client;
      let signalled = 0;
      try {
        const query =
          'TransactionKind="deposit" AND TransactionStatus="pending_anchor" AND ExecutionStatus="Running"';
        for await (const wf of client.workflow.list({ query })) {
          try {
            await client.workflow
              .getHandle(wf.workflowId, wf.runId)
              .signal(distributionToppedUpSignal, input);
            signalled += 1;
          } catch {
            // Finished between list and signal: nothing to wake.
          }
        }
      } catch (err) {
        Context.current().log.warn('could not list waiting deposits', { error: (err as Error).message });
      }
      return signalled;
    },
  };
}

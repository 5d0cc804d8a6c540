import { randomBytes } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { AppConfig } from '../config/index.js';
import { formatAmount } from '../core/i18n/index.js';
import { type Sep24MessageKey, sep24Text } from '../core/i18n/sep24.js';
import { depositBankReference } from '../core/ids.js';
import { closeSessions } from '../core/interactive-tokens.js';
import { toSep24Transaction } from '../core/transactions/serialize.js';
import { toSep6Transaction } from '../core/transfers/sep6-wire.js';
import { raiseAlert as recordAlert } from '../db/alerts.js';
import type { Db } from '../db/index.js';
import { FINAL_STATUSES, type Refunds, type TransactionStatus, type TransferFee } from '../db/schema.js';
import {
  getTransaction,
  setBankReferenceIfNone,
  transactionLang,
  updateTransaction,
} from '../db/transactions.js';
import { isAmount } from '../stellar/money.js';

/**
 * Transaction rows as the workflows see them: the workflow owns the status, these activities mirror it into
 * Postgres (the API only ever reads Postgres, never blocks on a workflow). All idempotent: a retry writes the
 * same values again.
 */

/**
 * A user-facing `message`, written in the transaction's language by the activity: a key of the
 * `sep24.msg.*` catalog (core/i18n/sep24.ts) with its parameters (amounts as decimal strings).
 */
export interface LocalizedMessage {
  key: Sep24MessageKey;
  params?: Record<string, string>;
}

/** The row fields a workflow may change, camelCase inside; `null` clears. Amounts are decimal strings. */
export interface TransactionPatch {
  amountIn?: string | null;
  amountOut?: string | null;
  amountFee?: string | null;
  /** A catalog message (localized here), or a plain string kept as is. */
  message?: LocalizedMessage | string | null;
  stellarTransactionId?: string | null;
  externalTransactionId?: string | null;
  fromAddress?: string | null;
  kycVerified?: boolean | null;
  refunds?: Refunds | null;
  claimableBalanceId?: string | null;
  /** ISO time; only meaningful in statuses that wait on the user. */
  userActionRequiredBy?: string | null;
  statusEta?: number | null;
  /** The fee in its own asset (a quote's or a conversion's, S24-27); absent keeps what the row has. */
  feeDetails?: TransferFee | null;
  /** Frees the bank reference for reuse (terminal deposits). */
  releaseBankReference?: boolean;
}

export interface MirrorStatusInput {
  transactionId: string;
  status: TransactionStatus;
  patch?: TransactionPatch;
}

export interface MirrorStatusResult {
  /** `{"transaction": {...}}` exactly as GET /transaction returns it now: what callbacks POST (S24-19). */
  body: string;
  onChangeCallback: string | null;
  interactiveCallback: string | null;
}

const TERMINAL: ReadonlySet<TransactionStatus> = new Set(FINAL_STATUSES);

export function createRecordActivities(deps: { config: AppConfig; db: Db }) {
  const { db, config } = deps;

  async function localize(transactionId: string, message: LocalizedMessage): Promise<string> {
    const lang = (await transactionLang(db, transactionId)) ?? 'en';
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.params ?? {})) {
      params[k] = isAmount(v) ? formatAmount(lang, v) : v;
    }
    return sep24Text(lang).t(`sep24.msg.${message.key}`, params);
  }

  return {
    async mirrorTransactionStatus(input: MirrorStatusInput): Promise<MirrorStatusResult> {
      const p = input.patch ?? {};
      const terminal = TERMINAL.has(input.status);
      const set: Parameters<typeof updateTransaction>[2] = { status: input.status };
      if (p.amountIn !== undefined) set.amount_in = p.amountIn;
      if (p.amountOut !== undefined) set.amount_out = p.amountOut;
      if (p.amountFee !== undefined) set.amount_fee = p.amountFee;
      if (p.message !== undefined) {
        set.message =
          p.message === null || typeof p.message === 'string'
            ? p.message
            : await localize(input.transactionId, p.message);
      }
      if (p.stellarTransactionId !== undefined) set.stellar_transaction_id = p.stellarTransactionId;
      if (p.externalTransactionId !== undefined) set.external_transaction_id = p.externalTransactionId;
      if (p.fromAddress !== undefined) set.from_address = p.fromAddress;
      if (p.kycVerified !== undefined) set.kyc_verified = p.kycVerified;
      if (p.refunds !== undefined) set.refunds = p.refunds === null ? null : JSON.stringify(p.refunds);
      if (p.claimableBalanceId !== undefined) set.claimable_balance_id = p.claimableBalanceId;
      if (p.userActionRequiredBy !== undefined) {
        set.user_action_required_by =
          p.userActionRequiredBy === null ? null : new Date(p.userActionRequiredBy);
      }
      if (p.statusEta !== undefined) set.status_eta = p.statusEta;
      if (p.feeDetails !== undefined) {
        set.fee_details = p.feeDetails === null ? null : JSON.stringify(p.feeDetails);
      }
      if (p.releaseBankReference || terminal) set.bank_reference = null;
      // Fields the wallet was asked for (S6-11) are only asked while the transfer waits for the user.
      if (input.status !== 'incomplete' && input.status !== 'pending_user') set.required_info_updates = null;
      if (input.status === 'completed' || input.status === 'refunded') {
        const current = await getTransaction(db, input.transactionId);
        set.completed_at = current?.completed_at ?? new Date();
      }
      const row = await updateTransaction(db, input.transactionId, set);
      if (!row) throw new Error(`transaction ${input.transactionId} not found`);
      if (terminal) await closeSessions(db, input.transactionId);
      log.info('transaction status mirrored', { transactionId: input.transactionId, status: input.status });
      return {
        // S6-12: a SEP-6 transfer's callbacks carry its GET /transaction body (SEP-6 statuses, instructions).
        body: JSON.stringify({
          transaction:
            row.protocol === 'sep6' ? toSep6Transaction(config, row) : toSep24Transaction(config, row),
        }),
        onChangeCallback: row.on_change_callback,
        interactiveCallback: row.interactive_callback,
      };
    },

    /**
     * The reference the user writes on the bank transfer, unique among live deposits. Idempotent: a deposit
     * that already has one keeps it.
     */
    async assignBankReference(input: { transactionId: string }): Promise<string> {
      const row = await getTransaction(db, input.transactionId);
      if (!row) throw new Error(`transaction ${input.transactionId} not found`);
      if (row.bank_reference) return row.bank_reference;
      for (let attempt = 0; attempt < 5; attempt++) {
        const reference = depositBankReference(randomBytes(5));
        try {
          const updated = await setBankReferenceIfNone(db, input.transactionId, reference);
          if (updated) return updated;
          const again = await getTransaction(db, input.transactionId);
          if (again?.bank_reference) return again.bank_reference;
        } catch (err) {
          // A unique-index collision with another live deposit: draw again.
          if ((err as { code?: string }).code !== '23505') throw err;
        }
      }
      throw new Error('could not draw a free bank reference');
    },

    /** Records something an operator must look at: a log line and one `alerts` row per (kind, transaction). */
    async raiseAlert(input: { kind: string; transactionId: string; message: string }): Promise<void> {
      log.error('operator alert', {
        kind: input.kind,
        transactionId: input.transactionId,
        message: input.message,
      });
      await recordAlert(db, input);
    },
  };
}

export type RecordActivities = ReturnType<typeof createRecordActivities>;

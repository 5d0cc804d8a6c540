import type { AppConfig } from '../../config/index.js';
import type { RequiredInfoUpdates, TransactionRow } from '../../db/schema.js';
import { currencyOf } from '../quotes/transfer.js';
import { toSep24Transaction } from '../transactions/serialize.js';

/**
 * The SEP-6 transaction object (S6-09): the SEP-24 one, with SEP-6's own KYC status and the deposit
 * `instructions`. The workflows are the same for both fronts; only the wire form differs here.
 */

export interface InstructionField {
  value: string;
  description: string;
}

/** SEP-9 financial account fields for a bank deposit (S6-05): where to send it and the reference to quote. */
export function depositInstructions(
  config: AppConfig,
  reference: string | null,
  currency: string | null = null,
): Record<string, InstructionField> {
  const out: Record<string, InstructionField> = {};
  if (config.bank.anchorAccount) {
    out['organization.bank_account_number'] = {
      value: config.bank.anchorAccount,
      description: `the anchor's bank account to send the transfer to, in ${currency ?? config.bank.currency}`,
    };
  }
  if (reference) {
    out['organization.external_transfer_memo'] = {
      value: reference,
      description: 'write this reference on the transfer exactly: it is how the deposit is recognised',
    };
  }
  return out;
}

/** One line summarising `instructions`: the deprecated `how`, which validators still require. */
export function howFrom(instructions: Record<string, InstructionField>): string {
  const account = instructions['organization.bank_account_number']?.value;
  const reference = instructions['organization.external_transfer_memo']?.value;
  return [
    'Send a bank transfer',
    account ? `to account ${account}` : null,
    reference ? `with the reference ${reference}` : null,
  ]
    .filter(Boolean)
    .join(' ');
}

/** What a SEP-6 withdrawal without `dest` waits for (S6-11): the bank account to pay out to. */
export const WITHDRAW_DESTINATION_FIELDS: RequiredInfoUpdates = {
  dest: { description: 'bank account number or IBAN to pay the withdrawal out to' },
  dest_extra: {
    description: 'routing number, sort code or BIC of dest, where the bank needs one',
    optional: true,
  },
};

/**
 * What a requote waits for (SEP38_EXPIRED_QUOTE_RULE=requote): the user's yes or no to the new quote. SEP-6 asks
 * it as a transaction field (PATCH /transactions/:id, S6-11); the SEP-24 more_info page has two buttons.
 */
export const REQUOTE_FIELDS: RequiredInfoUpdates = {
  accept_quote: {
    description:
      'the quote expired before the funds arrived: "yes" converts them at the new quote (quote_id, amount_out), "no" sends them back',
  },
};

/** True while a requote waits for the user's answer (`accept_quote`). */
export function awaitsRequoteConsent(row: TransactionRow): boolean {
  return row.status === 'pending_user' && row.required_info_updates?.accept_quote !== undefined;
}

/** S6-11: the transfer waits for `required_info_updates` (PATCH /transactions/:id) before it goes on. */
export function awaitsInfoUpdate(row: TransactionRow): boolean {
  return (row.status === 'incomplete' && row.required_info_updates !== null) || awaitsRequoteConsent(row);
}

export function toSep6Transaction(config: AppConfig, row: TransactionRow) {
  const tx = toSep24Transaction(config, row);
  // S6-07: a transfer waiting on KYC is SEP-6's pending_customer_info_update (SEP-24 shows pending_anchor).
  const status = awaitsInfoUpdate(row)
    ? 'pending_transaction_info_update'
    : row.status === 'pending_anchor' && row.kyc_verified === false
      ? 'pending_customer_info_update'
      : tx.status;
  // S6-09: the -exchange kinds; SEP-6 names the fee's parts `details` (SEP-24: `breakdown`).
  const kind = row.exchange ? (`${row.kind}-exchange` as const) : row.kind;
  const { breakdown, ...fee } = tx.fee_details ?? {};
  return {
    ...tx,
    kind,
    fee_details: tx.fee_details ? { ...fee, ...(breakdown ? { details: breakdown } : {}) } : null,
    status,
    ...(awaitsInfoUpdate(row)
      ? {
          required_info_message: 'Send the fields in required_info_updates with PATCH /transactions/:id.',
          required_info_updates: row.required_info_updates,
        }
      : {}),
    ...(row.kind === 'deposit' && row.status === 'pending_user_transfer_start'
      ? { instructions: depositInstructions(config, row.bank_reference, currencyOf(row.offchain_asset)) }
      : {}),
  };
}

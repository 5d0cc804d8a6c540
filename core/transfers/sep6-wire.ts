import type { AppConfig } from '../../config/index.js';
import type { TransactionRow } from '../../db/schema.js';
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
): Record<string, InstructionField> {
  const out: Record<string, InstructionField> = {};
  if (config.bank.anchorAccount) {
    out['organization.bank_account_number'] = {
      value: config.bank.anchorAccount,
      description: `the anchor's ${config.bank.currency} bank account to send the transfer to`,
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

export function toSep6Transaction(config: AppConfig, row: TransactionRow) {
  const tx = toSep24Transaction(config, row);
  // S6-07: a transfer waiting on KYC is SEP-6's pending_customer_info_update (SEP-24 shows pending_anchor).
  const status =
    row.status === 'pending_anchor' && row.kyc_verified === false
      ? 'pending_customer_info_update'
      : tx.status;
  return {
    ...tx,
    status,
    ...(row.kind === 'deposit' && row.status === 'pending_user_transfer_start'
      ? { instructions: depositInstructions(config, row.bank_reference) }
      : {}),
  };
}

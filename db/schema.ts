import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types. Amounts are Postgres NUMERIC, which pg returns as strings: money never becomes a JS number.
 */
type Amount = ColumnType<string | null, string | null | undefined, string | null>;
type Json<T> = ColumnType<T, string | T | undefined, string | T>;

export type TransactionKind = 'deposit' | 'withdrawal';

/** SEP-24 statuses (checklist S24-31). SEP-6-only statuses are deliberately absent. */
export const TRANSACTION_STATUSES = [
  'incomplete',
  'pending_user_transfer_start',
  'pending_user_transfer_complete',
  'pending_external',
  'pending_anchor',
  'on_hold',
  'pending_stellar',
  'pending_trust',
  'pending_user',
  'completed',
  'refunded',
  'expired',
  'no_market',
  'too_small',
  'too_large',
  'error',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];
/** Statuses a transaction never leaves: it is over, and takes no more money. */
export const FINAL_STATUSES: readonly TransactionStatus[] = [
  'completed',
  'refunded',
  'expired',
  'error',
  'no_market',
  'too_small',
  'too_large',
];

export interface RefundPayment {
  id: string;
  id_type: 'stellar' | 'external';
  amount: string;
  fee: string;
}
export interface Refunds {
  amount_refunded: string;
  amount_fee: string;
  payments: RefundPayment[];
}

export interface TransactionsTable {
  id: string;
  kind: TransactionKind;
  status: TransactionStatus;
  /** The JWT `sub` that created it (G..., G...:memo or M...): the key for listing and isolation. */
  sub: string;
  /** The sub's account (G...) and memo, split out for indexing. */
  sub_account: string;
  sub_memo: string | null;
  client_domain: string | null;
  asset_code: string;
  asset_issuer: string | null;
  /** Stellar account paid (deposit) or paying (withdrawal); may be M... */
  stellar_account: string;
  /** Memo for the deposit payment (deposit_memo) or the one the user must send (withdraw_memo). */
  memo: string | null;
  memo_type: 'text' | 'id' | 'hash' | null;
  amount_expected: Amount;
  amount_in: Amount;
  amount_out: Amount;
  amount_fee: Amount;
  withdraw_anchor_account: string | null;
  stellar_transaction_id: string | null;
  external_transaction_id: string | null;
  /** Reference the user puts on the bank transfer (deposits); released when the deposit ends. */
  bank_reference: string | null;
  from_address: string | null;
  to_address: string | null;
  message: string | null;
  kyc_verified: boolean | null;
  refunds: Json<Refunds | null>;
  claimable_balance_supported: Generated<boolean>;
  claimable_balance_id: string | null;
  on_change_callback: string | null;
  lang: Generated<string>;
  status_eta: number | null;
  user_action_required_by: Date | null;
  started_at: Generated<Date>;
  updated_at: Generated<Date>;
  completed_at: Date | null;
  wallet_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** S24-19 `callback` URL (or 'postMessage'): POSTed at most once when the user finishes the flow. */
  interactive_callback: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * SEP-6 S6-11: field → description the transfer waits for (`pending_transaction_info_update` on the SEP-6
   * wire); null once PATCH supplied them, or when nothing is missing.
   */
  required_info_updates: Json<RequiredInfoUpdates | null>;
  /** The front that started it: its wire form (GET /transaction, S6-12 callbacks). */
  protocol: ColumnType<TransferProtocol, TransferProtocol | undefined, TransferProtocol>;
  /** A SEP-6 `deposit-exchange` / `withdrawal-exchange` (S6-08); SEP-24 conversions keep their plain kind. */
  exchange: Generated<boolean>;
  /** The SEP-38 firm quote the transfer honours (S24-10, S6-08); reserved to this transaction. */
  quote_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The off-chain side (iso4217:BRL); null: the bank currency the asset mirrors 1:1 (USDC ↔ USD). */
  offchain_asset: ColumnType<string | null, string | null | undefined, string | null>;
  /** The fee as the quote (or the conversion at arrival) issued it, in its own asset (S24-27). */
  fee_details: Json<TransferFee | null>;
}

export type TransferProtocol = 'sep6' | 'sep24';

/** A fee in SEP-38 form: total, the asset it is in, and the parts that add up to it. */
export interface TransferFee {
  total: string;
  asset: string;
  details?: { name: string; description?: string; amount: string }[];
}

/** SEP-6 `required_info_updates`: each field the wallet must PATCH, with what it is. */
export type RequiredInfoUpdates = Record<string, { description: string; optional?: boolean }>;

/** One-time interactive URL tokens ('start') and hosted-pages sessions ('session'); only SHA-256 hashes. */
export interface InteractiveTokensTable {
  token_hash: string;
  transaction_id: string;
  kind: 'start' | 'session';
  expires_at: Date;
  used_at: Date | null;
  prefill: Json<Record<string, string> | null>;
  created_at: Generated<Date>;
}

/** Operator alerts: one row per (kind, transaction) that needs a human. */
export interface AlertsTable {
  id: Generated<string>;
  kind: string;
  transaction_id: string | null;
  message: string;
  created_at: Generated<Date>;
  acknowledged_at: Date | null;
}

/** A SEP-12 customer's status (S12-05), as stored and as the KYC workflow is told it. */
export type KycStatus = 'ACCEPTED' | 'REJECTED' | 'NEEDS_INFO' | 'PROCESSING';

export interface CustomersTable {
  id: string;
  /** Stellar account (G... or C...); with `memo` the key of a customer (S12-03). */
  account: string;
  /** '' when the customer has no memo, so (account, memo) can be a plain unique key. */
  memo: Generated<string>;
  status: Generated<KycStatus>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Highest KYC tier the provider approved (0 = none); never asked again for it (issue 6). */
  accepted_tier: Generated<number>;
  /** Highest tier a wallet or page asked about (by amount or transaction); the tier `status` describes. */
  requested_tier: Generated<number>;
  /** Reason shown with REJECTED / NEEDS_INFO (S12-07). */
  message: string | null;
  /** PUT /customer/callback URL (S12-22); cleared after an ACCEPTED or REJECTED callback (S12-23). */
  callback_url: string | null;
  lang: Generated<string>;
  /** The status last announced to `callback_url`; claimed by a conditional update so a change is announced once. */
  announced_status: KycStatus | null;
}

export type KycFieldStatus = 'ACCEPTED' | 'PROCESSING' | 'REJECTED' | 'VERIFICATION_REQUIRED';

/** One SEP-9 value of a customer (personal data); documents keep only a blob-store key here. */
export interface CustomerFieldsTable {
  customer_id: string;
  name: string;
  value: string | null;
  blob_key: string | null;
  content_type: string | null;
  size_bytes: number | null;
  status: KycFieldStatus;
  error: string | null;
  /** When the value last changed (not its status): an approval covers values older than its check. */
  updated_at: Generated<Date>;
}

export interface KycChecksTable {
  id: string;
  customer_id: string;
  tier: number;
  status: 'pending_submit' | 'submitted' | 'approved' | 'rejected' | 'needs_info';
  provider_check_id: string | null;
  created_at: Generated<Date>;
  completed_at: Date | null;
  /** When it was last sent to the provider; an unanswered check is sent again after KYC_CHECK_RESEND_SECONDS. */
  last_sent_at: Date | null;
}

export interface KycWebhookEventsTable {
  event_id: string;
  received_at: Generated<Date>;
}

export interface KycWaitersTable {
  account: string;
  memo: Generated<string>;
  workflow_id: string;
  tier: number;
  created_at: Generated<Date>;
}

/** S12-26: a document uploaded on its own, later referenced as `<field>_file_id` (S12-17). */
export interface CustomerFilesTable {
  id: string;
  account: string;
  memo: Generated<string>;
  customer_id: string | null;
  blob_key: string;
  content_type: string;
  size_bytes: number;
  created_at: Generated<Date>;
  expires_at: Date;
}

export interface KycErasuresTable {
  id: string;
  customer_id: string;
  subject_hash: string;
  fields_erased: number;
  files_erased: number;
  erased_at: Generated<Date>;
}

/** SEP-10 challenges already exchanged for a token (S10-31); rows are useless after `expires_at`. */
export interface Sep10UsedChallengesTable {
  hash: string;
  expires_at: Date;
  created_at: Generated<Date>;
}

/** One fixed-window counter per rate-limit key (e.g. `sep10:<ip>`). */
export interface RateLimitBucketsTable {
  key: string;
  window_start: Date;
  hits: number;
}

// --- bank rails -------------------------------------------------------------------------------------------------
export type BankTransferStatus = 'received' | 'signalled' | 'unmatched' | 'refunded';
export interface BankTransfersTable {
  /** The bank's transfer id: what `BankTransferReceived.bankTransferId` carries and deposits dedupe on. */
  id: string;
  event_id: string | null;
  source: 'webhook' | 'poll' | 'operator';
  reference: Generated<string>;
  amount: string;
  currency: string;
  from_account: string;
  from_name: string | null;
  to_account: string | null;
  user_id: string | null;
  booked_at: Date;
  /** received: stored, not yet delivered to a deposit; signalled: delivered; unmatched: in the operator queue. */
  status: Generated<BankTransferStatus>;
  transaction_id: string | null;
  delivery_attempts: Generated<number>;
  /** Lease of the process signalling this transfer right now (one signal even when webhook and poller race). */
  delivering_until: Generated<Date | null>;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type UnmatchedReason =
  | 'no_match'
  | 'deposit_not_live'
  | 'deposit_already_funded'
  | 'ambiguous'
  | 'currency_mismatch';
export interface UnmatchedBankTransfersTable {
  bank_transfer_id: string;
  reason: UnmatchedReason;
  detail: string;
  candidate_transaction_ids: Json<string[]>;
  state: Generated<'open' | 'attached' | 'refunded'>;
  resolved_transaction_id: string | null;
  resolved_by: string | null;
  resolution_note: string | null;
  refund_reference: string | null;
  resolved_at: Date | null;
  created_at: Generated<Date>;
}
export interface BankVirtualAccountsTable {
  account_number: string;
  /** The SEP-10 sub whose deposits this account number identifies. */
  sub: string;
  created_at: Generated<Date>;
}
export interface BankPollCursorsTable {
  name: string;
  cursor: string | null;
  updated_at: Generated<Date>;
}
export type BankPayoutStatus = 'created' | 'pending' | 'completed' | 'failed';
export interface BankPayoutsTable {
  payout_ref: string;
  transaction_id: string;
  amount: string;
  currency: string;
  destination_account: string;
  destination_name: string;
  status: Generated<BankPayoutStatus>;
  bank_payout_id: string | null;
  failure_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Withdrawal-only state beside the SEP-24 row (migration 20261125T153600_withdrawals). */
export interface WithdrawalDetailsTable {
  transaction_id: string;
  refund_memo: string | null;
  refund_memo_type: 'text' | 'id' | 'hash' | null;
  /** `v1.<iv>.<tag>.<ciphertext>` (base64url), AES-256-GCM with the transaction id as AAD (stellar/crypto.ts). */
  destination_ciphertext: string | null;
  /** Shown to the user and in SEP-24 `to`, e.g. `****6789`. */
  destination_masked: string | null;
  payout_ref: string | null;
  approval_reasons: Json<string[] | null>;
  decision: 'approve' | 'reject' | null;
  decided_by: string | null;
  decision_reason: string | null;
  decided_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** Every admin API action (issue 9): who, what, on which target, when, with which request id and outcome. */
export interface AdminAuditTable {
  id: Generated<string>;
  at: Generated<Date>;
  /** The admin key name (never the key). */
  actor: string;
  action: string;
  target: string | null;
  request_id: string | null;
  outcome: 'ok' | 'denied' | 'error';
  status_code: number | null;
  /** Non-personal detail (decision, reason, filters); never KYC data or secrets. */
  detail: Json<Record<string, unknown> | null>;
  /** Requests this row stands for: 1, except a failed-authentication row counting its client's window. */
  attempts: Generated<number>;
  /** Failed-authentication rows only: the client IP and the rate-limit window the row counts. */
  client_ip: string | null;
  window_start: Date | null;
}

/** Operator console sessions (api/admin/console): the cookie's SHA-256, never the cookie or the admin key. */
export interface AdminSessionsTable {
  id_sha256: string;
  /** Name and configured SHA-256 of the admin key that signed in: a key removed from ADMIN_API_KEYS ends it. */
  key_name: string;
  key_sha256: string;
  csrf_token: string;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
}

export type TopUpStatus = 'awaiting_signature' | 'submitting' | 'completed' | 'expired' | 'failed';

/** Issuer → distribution top-ups (issue 9); the hash is stored before submission (idempotent resubmits). */
export interface TopUpsTable {
  id: string;
  workflow_id: string;
  status: TopUpStatus;
  asset_code: string;
  amount: ColumnType<string, string, string>;
  balance_before: ColumnType<string, string, string>;
  unsigned_xdr: string;
  tx_hash: string;
  signed_xdr: string | null;
  ledger: number | null;
  last_rejection: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  completed_at: Date | null;
}

// --- Stellar payments (activities/stellar.ts) and the payment observer (activities/observer.ts) -------------
export interface StellarEnvelopesTable {
  /** Idempotency key of the submission: a payment ref, or a batch ref. */
  ref: string;
  source: string;
  hash: string;
  envelope_xdr: string;
  sequence: ColumnType<string, string | bigint, string | bigint>;
  max_time: Date;
  status: Generated<'prepared' | 'succeeded' | 'failed'>;
  ledger: number | null;
  result_codes: Json<{ transaction: string; operations?: string[] } | null>;
  attempt: Generated<number>;
  /** Hashes of earlier envelopes for this ref, each proven unable to land before it was replaced. */
  previous_hashes: ColumnType<string[], string[] | undefined, string[]>;
  submitted_at: Date | null;
  completed_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface StellarPaymentsTable {
  ref: string;
  envelope_ref: string;
  op_index: number;
  kind: 'payment' | 'create_account' | 'claimable_balance';
  destination: string;
  asset_code: string;
  asset_issuer: string | null;
  amount: string;
  memo: string | null;
  memo_type: 'text' | 'id' | 'hash' | null;
  claimable_balance_id: string | null;
  created_at: Generated<Date>;
}

export interface StellarChannelsTable {
  account: string;
  leased_by: string | null;
  leased_until: Date | null;
}

export type ReceivedPaymentStatus = 'matched' | 'unmatched' | 'signalled';

export interface ReceivedPaymentsTable {
  operation_id: string;
  transaction_hash: string;
  /** The receiving account observed (G...). */
  account: string;
  type: string;
  from_account: string;
  to_account: string;
  to_muxed: string | null;
  to_muxed_id: string | null;
  asset_code: string;
  asset_issuer: string | null;
  amount: string;
  source_asset_code: string | null;
  source_asset_issuer: string | null;
  source_amount: string | null;
  memo: string | null;
  memo_type: Generated<'text' | 'id' | 'hash' | 'none'>;
  fee_bump: Generated<boolean>;
  ledger: number;
  paging_token: string;
  ledger_closed_at: Date | null;
  transaction_id: string | null;
  mismatch: 'asset' | 'amount' | null;
  unmatched_reason: string | null;
  status: ReceivedPaymentStatus;
  recorded_at: Generated<Date>;
  signalled_at: Date | null;
  /**
   * A second payment for a withdrawal that has one (`unmatched_reason` 'duplicate_payment') or a late one for a withdrawal that ended unpaid ('late_payment'): null until its
   * duplicatePaymentWorkflow is started, then 'started', and 'refunded' (with `refund_hash`) or 'alerted'.
   */
  duplicate_state: Generated<'started' | 'refunded' | 'alerted' | null>;
  refund_hash: Generated<string | null>;
}

export interface ObserverCursorsTable {
  account: string;
  cursor: string;
  updated_at: Generated<Date>;
}

/** SEP-38 firm quotes (S38-07): the issued strings, the owner and the transfer that reserved it. */
export interface QuotesTable {
  id: string;
  sub: string;
  context: 'sep6' | 'sep24' | 'sep31';
  sell_asset: string;
  sell_amount: string;
  sell_delivery_method: string | null;
  buy_asset: string;
  buy_amount: string;
  buy_delivery_method: string | null;
  price: string;
  total_price: string;
  fee: Json<{
    total: string;
    asset: string;
    details?: { name: string; description?: string; amount: string }[];
  }>;
  expires_at: Date;
  created_at: Generated<Date>;
  transaction_id: string | null;
  reserved_at: Date | null;
}
export type QuoteRow = Selectable<QuotesTable>;

export interface Database {
  stellar_envelopes: StellarEnvelopesTable;
  stellar_payments: StellarPaymentsTable;
  stellar_channels: StellarChannelsTable;
  received_payments: ReceivedPaymentsTable;
  observer_cursors: ObserverCursorsTable;
  admin_audit: AdminAuditTable;
  admin_sessions: AdminSessionsTable;
  topups: TopUpsTable;
  withdrawal_details: WithdrawalDetailsTable;
  bank_transfers: BankTransfersTable;
  unmatched_bank_transfers: UnmatchedBankTransfersTable;
  bank_virtual_accounts: BankVirtualAccountsTable;
  bank_poll_cursors: BankPollCursorsTable;
  bank_payouts: BankPayoutsTable;
  sep10_used_challenges: Sep10UsedChallengesTable;
  rate_limit_buckets: RateLimitBucketsTable;
  transactions: TransactionsTable;
  customers: CustomersTable;
  customer_fields: CustomerFieldsTable;
  kyc_checks: KycChecksTable;
  kyc_webhook_events: KycWebhookEventsTable;
  kyc_waiters: KycWaitersTable;
  kyc_erasures: KycErasuresTable;
  customer_files: CustomerFilesTable;
  interactive_tokens: InteractiveTokensTable;
  alerts: AlertsTable;
  quotes: QuotesTable;
}

export type TransactionRow = Selectable<TransactionsTable>;
export type NewTransaction = Insertable<TransactionsTable>;
export type TransactionUpdate = Updateable<TransactionsTable>;
export type CustomerRow = Selectable<CustomersTable>;

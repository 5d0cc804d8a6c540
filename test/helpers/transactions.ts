import type { AppConfig } from '../../config/index.js';
import type { NewTransaction } from '../../db/schema.js';

type Named = 'id' | 'kind' | 'status' | 'sub' | 'sub_account' | 'asset_code' | 'stellar_account';

/** A full `transactions` row for a test: every column the test does not name is null. */
export function transactionRow(row: Pick<NewTransaction, Named> & Partial<NewTransaction>): NewTransaction {
  return {
    sub_memo: null,
    client_domain: null,
    asset_issuer: null,
    memo: null,
    memo_type: null,
    amount_expected: null,
    amount_in: null,
    amount_out: null,
    amount_fee: null,
    withdraw_anchor_account: null,
    stellar_transaction_id: null,
    external_transaction_id: null,
    bank_reference: null,
    from_address: null,
    to_address: null,
    message: null,
    kyc_verified: null,
    refunds: null,
    claimable_balance_id: null,
    on_change_callback: null,
    status_eta: null,
    user_action_required_by: null,
    completed_at: null,
    ...row,
  };
}

/** An `incomplete` deposit row for `account` (its own sub, paid to itself) in the configured asset. */
export function incompleteDepositRow(
  config: AppConfig,
  id: string,
  account: string,
  over: Partial<NewTransaction> = {},
): NewTransaction {
  return transactionRow({
    id,
    kind: 'deposit',
    status: 'incomplete',
    sub: account,
    sub_account: account,
    asset_code: config.stellar.assetCode,
    asset_issuer: config.stellar.issuerAccount,
    stellar_account: account,
    to_address: account,
    ...over,
  });
}

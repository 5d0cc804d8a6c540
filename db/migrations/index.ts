import type { Migration } from 'kysely';
import * as initial from './20261125T150000_initial.js';
import * as sep10Auth from './20261125T152000_sep10_auth.js';
import * as sep24Interactive from './20261125T152500_sep24_interactive.js';
import * as bankRails from './20261125T153000_bank_rails.js';
import * as operations from './20261125T153500_operations.js';
import * as withdrawals from './20261125T153600_withdrawals.js';
import * as stellarPayments from './20261125T154000_stellar_payments.js';
import * as kyc from './20261125T155000_kyc.js';
import * as rateLimitUnlogged from './20261125T155100_rate_limit_unlogged.js';
import * as bankDeliveryLease from './20261125T160000_bank_delivery_lease.js';
import * as kycFiles from './20261125T160500_kyc_files.js';
import * as kycCheckResend from './20261125T161000_kyc_check_resend.js';
import * as adminSessions from './20261201T090000_admin_sessions.js';
import * as quotes from './20261201T100000_quotes.js';
import * as adminAuditFailedAuth from './20261202T040000_admin_audit_failed_auth.js';
import * as requiredInfoUpdates from './20261202T060000_required_info_updates.js';
import * as duplicatePayments from './20261202T061500_duplicate_payments.js';
import * as customerAnnouncedStatus from './20261202T130000_customer_announced_status.js';
import * as latePayments from './20261202T131000_late_payments.js';
import * as transferQuotes from './20261202T150000_transfer_quotes.js';
import * as requotes from './20261202T160000_requotes.js';

/**
 * Every migration, listed explicitly and in order (no directory globbing). Names are timestamps; a merged
 * migration is frozen. To add one: create `db/migrations/<UTC timestamp>_<name>.ts` and append it here.
 */
export const migrations: Record<string, Migration> = {
  '20261125T150000_initial': initial,
  '20261125T152000_sep10_auth': sep10Auth,
  '20261125T152500_sep24_interactive': sep24Interactive,
  '20261125T153000_bank_rails': bankRails,
  '20261125T153500_operations': operations,
  '20261125T153600_withdrawals': withdrawals,
  '20261125T154000_stellar_payments': stellarPayments,
  '20261125T155000_kyc': kyc,
  '20261125T155100_rate_limit_unlogged': rateLimitUnlogged,
  '20261125T160000_bank_delivery_lease': bankDeliveryLease,
  '20261125T160500_kyc_files': kycFiles,
  '20261125T161000_kyc_check_resend': kycCheckResend,
  '20261201T090000_admin_sessions': adminSessions,
  '20261201T100000_quotes': quotes,
  '20261202T040000_admin_audit_failed_auth': adminAuditFailedAuth,
  '20261202T060000_required_info_updates': requiredInfoUpdates,
  '20261202T061500_duplicate_payments': duplicatePayments,
  '20261202T130000_customer_announced_status': customerAnnouncedStatus,
  '20261202T131000_late_payments': latePayments,
  '20261202T150000_transfer_quotes': transferQuotes,
  '20261202T160000_requotes': requotes,
};

/**
 * The one masking of a bank account number: the full number never reaches workflow history, a page or an
 * admin listing.
 * - `'ends'` (default) → `'DE89****3000'`: the country and check digits plus the last four, so an operator can
 *   tell senders apart (SEP-24 `from` of a deposit, the admin bank views). Short numbers keep only two.
 * - `'last4'` → `'****3000'`: what the user is shown of their own payout destination (SEP-24 `to` of a withdrawal).
 */
export function maskAccount(account: string, show: 'ends' | 'last4' = 'ends'): string {
  const a = account.replace(/\s+/g, '');
  if (show === 'last4') return `****${a.slice(-4)}`;
  if (a.length <= 8) return `${a.slice(0, 2)}****`;
  return `${a.slice(0, 4)}****${a.slice(-4)}`;
}

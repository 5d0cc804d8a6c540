import { html } from 'hono/html';
import type { PayoutRow, TransferRow, VirtualAccountRow } from './store.js';

type TransferWithDelivery = TransferRow & {
  delivery_status: string | null;
  delivery_attempts: number | null;
};

export interface BankPageData {
  transfers: TransferWithDelivery[];
  payouts: PayoutRow[];
  accounts: VirtualAccountRow[];
  /** Where a transfer goes unless sent to a virtual account (the anchor's account at this bank). */
  anchorAccount: string;
  sent: string | undefined;
  error: string | undefined;
  /** Prefill of the send form, e.g. from the hosted deposit page's "open the test bank" link. */
  prefill: { reference: string; amount: string; currency: string };
}

/** The customer's side of the sandbox bank: send a transfer to the anchor, see what moved. Values are escaped. */
export function bankPage(d: BankPageData) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox Bank</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
  form { display: grid; grid-template-columns: 12rem minmax(0, 1fr); gap: .5rem 1rem; max-width: 36rem; }
  label { align-self: center; }
  input { box-sizing: border-box; width: 100%; min-width: 0; font: inherit; padding: .3rem; }
  button { grid-column: 2; justify-self: start; padding: .4rem 1.2rem; font: inherit; }
  .table-wrap { overflow-x: auto; margin-bottom: 2rem; }
  table { border-collapse: collapse; width: 100%; font-size: .9rem; }
  th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; }
  th { white-space: nowrap; }
  .ok { background: #e7f6e7; padding: .5rem; } .err { background: #fde8e8; padding: .5rem; }
  .ok, .err { overflow-wrap: anywhere; }
  code { font-size: .85rem; }
  @media (max-width: 42rem) {
    body { margin: 1rem auto; }
    form { grid-template-columns: minmax(0, 1fr); gap: .25rem; }
    label { margin-top: .5rem; }
    button { grid-column: 1; margin-top: .75rem; }
  }
</style>
</head>
<body>
<h1>Sandbox Bank</h1>
<p>Simulated bank for the anchor sandbox. Send a transfer to the anchor; write the deposit's reference code in
the reference field. The bank notifies the anchor by webhook and also serves it through its polling API.</p>
${d.sent ? html`<p class="ok" role="status">Transfer <code id="sent-id">${d.sent}</code> sent.</p>` : ''}
${d.error ? html`<p class="err" role="alert">${d.error}</p>` : ''}
<h2>Send a transfer</h2>
<form method="post" action="/send">
  <label for="from_name">Sender name</label><input id="from_name" name="from_name" value="Test Customer">
  <label for="from_account">Sender IBAN / account</label>
  <input id="from_account" name="from_account" value="DE89370400440532013000" required>
  <label for="amount">Amount</label><input id="amount" name="amount" inputmode="decimal" required placeholder="100.00"
    value="${d.prefill.amount}">
  <label for="currency">Currency</label><input id="currency" name="currency" value="${d.prefill.currency}">
  <label for="reference">Reference</label>
  <input id="reference" name="reference" placeholder="e.g. ANC-7F3K9Q" value="${d.prefill.reference}">
  <label for="to_account">To account</label><input id="to_account" name="to_account" value="${d.anchorAccount}">
  <label for="user_id">Customer id (optional)</label><input id="user_id" name="user_id">
  <button type="submit">Send</button>
</form>
<h2>Recent incoming transfers</h2>
<div class="table-wrap">
<table id="transfers">
<thead><tr><th>Id</th><th>Booked</th><th>Amount</th><th>Reference</th><th>To</th><th>Webhook</th></tr></thead>
<tbody>
${d.transfers.map(
  (t) => html`<tr><td><code>${t.id}</code></td><td>${t.booked_at.toISOString()}</td>
<td>${t.amount} ${t.currency}</td><td>${t.reference}</td><td>${t.to_account}</td>
<td>${t.delivery_status ?? ''} (${t.delivery_attempts ?? 0})</td></tr>`,
)}
</tbody>
</table>
</div>
<h2>Payouts from the anchor</h2>
<div class="table-wrap">
<table id="payouts">
<thead><tr><th>Id</th><th>Created</th><th>Amount</th><th>Account</th><th>Status</th></tr></thead>
<tbody>
${d.payouts.map(
  (p) => html`<tr><td><code>${p.id}</code></td><td>${p.created_at.toISOString()}</td>
<td>${p.amount} ${p.currency}</td><td>${p.account_name} · ${p.account_number}</td>
<td>${p.status}${p.failure_reason ? ` (${p.failure_reason})` : ''}</td></tr>`,
)}
</tbody>
</table>
</div>
<h2>Virtual accounts</h2>
<div class="table-wrap">
<table id="virtual-accounts">
<thead><tr><th>Account number</th><th>Customer</th></tr></thead>
<tbody>
${d.accounts.map((a) => html`<tr><td><code>${a.account_number}</code></td><td>${a.customer_ref}</td></tr>`)}
</tbody>
</table>
</div>
<p>Payout rules: an account number ending in <code>0000</code> fails (account closed), one ending in
<code>9999</code> stays pending; any other completes.</p>
</body>
</html>`;
}

// Bundle entry for the worker: every workflow the anchor runs is exported here, and nothing else (test probes
// live in test/workflow/probes/, bundled by the test setup).

export { bankPollerWorkflow } from './bank-poller.js';
export { depositWorkflow } from './deposit.js';
export { duplicatePaymentWorkflow } from './duplicate-payment.js';
export { healthPingWorkflow } from './health.js';
export { transactionCallbackWorkflow } from './notify.js';
export { observerWorkflow } from './observer.js';
export { topUpWorkflow } from './topup.js';
export { withdrawalWorkflow } from './withdrawal.js';

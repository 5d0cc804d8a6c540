// Bundle entry for the worker: every workflow the anchor runs is exported here.

export { bankPollerWorkflow, bankSignalProbeWorkflow } from './bank-poller.js';
export { depositWorkflow } from './deposit.js';
export { healthPingWorkflow } from './health.js';
export { kycGateWorkflow } from './kyc.js';
export { transactionCallbackWorkflow } from './notify.js';
export { observerWorkflow, paymentSignalProbeWorkflow } from './observer.js';
export { sendPaymentWorkflow } from './payments.js';
export { topUpWorkflow } from './topup.js';
export { withdrawalWorkflow } from './withdrawal.js';

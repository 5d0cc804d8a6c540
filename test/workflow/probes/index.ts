/**
 * Bundle entry of the test workers: every shipped workflow, plus the probes tests use as stand-ins or to drive
 * one activity. test/setup/global.ts bundles this beside the production entry (workflows/index.ts), which never
 * contains a probe.
 */
export * from '../../../workflows/index.js';
export { kycGateWorkflow } from './kyc-gate.js';
export { sendPaymentWorkflow } from './send-payment.js';
export { bankSignalProbeWorkflow, paymentSignalProbeWorkflow } from './signal-probes.js';

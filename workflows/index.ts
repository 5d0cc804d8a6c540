// Bundle entry for the worker: every workflow the anchor runs is exported here.
export { healthPingWorkflow } from './health.js';

// The second step of `npm run build` (after tsc): bundles the workflow code once, at build time, with the SDK's
// bundleWorkflowCode (webpack), into <build>/workflow-bundle.js beside the compiled worker. A worker started from
// the build finds it (worker/index.ts prebuiltWorkflowBundle) and loads it instead of running webpack at every
// start. Run as `node dist/scripts/build-workflows.js`: it bundles the compiled dist/workflows, the code the build
// ships, and writes next to it whatever outDir tsc used.
import { writeFileSync } from 'node:fs';
import { BUILT_WORKFLOW_BUNDLE, bundleWorkflows, WORKFLOWS_PATH } from '../worker/index.js';

const started = Date.now();
const { code } = await bundleWorkflows(WORKFLOWS_PATH);
writeFileSync(BUILT_WORKFLOW_BUNDLE, code);
console.log(
  `workflow bundle: ${BUILT_WORKFLOW_BUNDLE} (${(code.length / 1024).toFixed(0)} KiB from ${WORKFLOWS_PATH}, ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

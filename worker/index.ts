import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../activities/index.js';

// '.ts' when run from the sources (tsx, vitest), '.js' when run from the build (dist/).
export const WORKFLOWS_PATH = fileURLToPath(
  new URL(`../workflows/index${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** Where `npm run build` writes the pre-bundled workflow code (scripts/build-workflows.ts): dist/workflow-bundle.js. */
export const BUILT_WORKFLOW_BUNDLE = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

/**
 * The pre-built workflow bundle a worker runs instead of bundling at start (webpack, tens of seconds on a small
 * machine): WORKFLOW_BUNDLE_PATH when set (a missing file is an error, not a silent slow start), else the build's
 * own bundle when this runs from dist/. Undefined from the sources: the workflows are bundled at start.
 */
export function prebuiltWorkflowBundle(
  env: NodeJS.ProcessEnv = process.env,
): { codePath: string } | undefined {
  const configured = env.WORKFLOW_BUNDLE_PATH?.trim();
  if (configured) {
    const codePath = resolve(configured);
    if (!existsSync(codePath)) throw new Error(`WORKFLOW_BUNDLE_PATH: no workflow bundle at ${codePath}`);
    return { codePath };
  }
  return existsSync(BUILT_WORKFLOW_BUNDLE) ? { codePath: BUILT_WORKFLOW_BUNDLE } : undefined;
}

/**
 * Bundles workflow code once (webpack): the shipped workflows by default; the test setup also bundles its own
 * entry (shipped workflows plus test probes) from `workflowsPath`.
 */
export function bundleWorkflows(workflowsPath = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

const quietBundlerLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string, meta?: unknown) {
    console.warn(message, meta ?? '');
  },
  error(message: string, meta?: unknown) {
    console.error(message, meta ?? '');
  },
};

export interface AnchorWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /**
   * A prebuilt bundle (tests) or a code path; without it, prebuiltWorkflowBundle() (the build's), else the
   * workflows are bundled at start.
   */
  workflowBundle?: { code: string } | { codePath: string };
  /** Registers the activities built from deps; override to inject failures in tests. */
  activities?: object;
}

export async function createAnchorWorker(opts: AnchorWorkerOptions): Promise<Worker> {
  const workflowBundle = opts.workflowBundle ?? prebuiltWorkflowBundle();
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: opts.activities ?? createActivities(opts.deps),
    // Bounded (WORKER_MAX_CACHED_WORKFLOWS) rather than the SDK's share of memory: RSS stays flat at 10,000 open
    // transfers; a workflow evicted from the cache is replayed from its history when a signal or timer wakes it.
    maxCachedWorkflows: opts.deps.config.temporal.maxCachedWorkflows,
    // Give in-flight activities time to finish on SIGTERM before the worker goes away.
    shutdownGraceTime: '10s',
  });
}

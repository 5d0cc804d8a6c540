/**
 * Starts (or reuses) the real infrastructure once for the whole run: the project's Postgres cluster with an
 * `anchor_test` database, and a Temporal dev server on a free port (in-memory, headless). Bundles the workflow
 * code once so each test file's worker starts fast: the production bundle (shipped workflows only, for the replay
 * test) and the test bundle (the same plus test/workflow/probes, for every test worker). Nothing here is mocked.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { pgUrl, TEMPORAL_TEST_SERVER } from '../../scripts/lib/paths.js';
import { freePort } from '../../scripts/lib/ports.js';
import { ensureDatabase, ensurePostgres } from '../../scripts/lib/postgres.js';
import { startTemporalDevServer, waitForTemporal } from '../../scripts/lib/temporal.js';
import { bundleWorkflows } from '../../worker/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    temporalAddress: string;
    /** Shipped workflows + test probes (test/workflow/probes/index.ts). */
    workflowBundlePath: string;
    /** Shipped workflows only (workflows/index.ts), as the worker runs them. */
    productionWorkflowBundlePath: string;
    timeSkippingServerPath: string;
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  await ensurePostgres();
  // TEST_DATABASE: a database of its own for a second checkout's suite on the same Postgres (two suites
  // migrating schemas in one database get in each other's way).
  const database = process.env.TEST_DATABASE ?? 'anchor_test';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database))
    throw new Error(`TEST_DATABASE must be a plain name, not ${database}`);
  await ensureDatabase(database);

  let stopTemporal = async () => {};
  let temporalAddress = process.env.TEST_TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const port = await freePort();
    temporalAddress = `127.0.0.1:${port}`;
    const child = startTemporalDevServer({
      port,
      headless: true,
      logFile: join(tmpdir(), 'anchor-test-temporal.log'),
    });
    stopTemporal = async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    };
  }
  const testEntry = fileURLToPath(new URL('../workflow/probes/index.ts', import.meta.url));
  const [production, withProbes] = await Promise.all([
    bundleWorkflows(),
    bundleWorkflows(testEntry),
    waitForTemporal(temporalAddress),
  ]);
  const productionWorkflowBundlePath = join(tmpdir(), `anchor-workflows-${process.pid}.js`);
  writeFileSync(productionWorkflowBundlePath, production.code);
  const workflowBundlePath = join(tmpdir(), `anchor-workflows-test-${process.pid}.js`);
  writeFileSync(workflowBundlePath, withProbes.code);

  project.provide('pgUrl', pgUrl(database));
  project.provide('temporalAddress', temporalAddress);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('productionWorkflowBundlePath', productionWorkflowBundlePath);
  project.provide('timeSkippingServerPath', TEMPORAL_TEST_SERVER);
  console.log(`[test setup] Postgres + Temporal ${temporalAddress} ready in ${Date.now() - started} ms`);

  return async () => {
    await stopTemporal();
  };
}

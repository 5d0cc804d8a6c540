/**
 * The production build (#16 item 5): `npm run build` emits JavaScript that `node` runs with no tsx loader, and a
 * workflow bundle the worker loads instead of running webpack at start. The build goes into a directory laid
 * out like the image's /app (test/helpers/build.ts); the API and the worker start from it against the test run's
 * Postgres and Temporal, and the worker runs a workflow from the pre-built bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/ports.js';
import type { HealthPingResult } from '../../workflows/messages.js';
import {
  anchorProcessEnv,
  type Build,
  buildInto,
  productionPackages,
  type Started,
  startProcess,
} from '../helpers/build.js';

// tsc over the whole tree takes 1-3 minutes on this machine; webpack another 15-30 s.
const BUILD_TIMEOUT_MS = 480_000;

let build: Build;
const started: Started[] = [];

beforeAll(async () => {
  build = await buildInto();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  build?.remove();
});

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dir, f));
}

describe('npm run build', () => {
  it('is tsc on tsconfig.build.json, then the workflow bundle', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toContain('tsc -p tsconfig.build.json');
    expect(pkg.scripts.build).toContain('node dist/scripts/build-workflows.js');
  });

  it('tsx (and every other build or test tool) is a devDependency: the runtime installs none of them', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(Object.keys(pkg.devDependencies)).toContain('tsx');
    const runtime = productionPackages();
    for (const tool of ['tsx', 'esbuild', 'typescript', 'vitest', '@temporalio/testing']) {
      expect(runtime, tool).not.toContain(tool);
    }
    // The processes below start in a directory with exactly these packages.
    expect(readdirSync(join(build.dir, 'node_modules'))).not.toContain('tsx');
  });

  it('emits every entry the image runs, the workflow bundle, and no tests', () => {
    for (const entry of [
      'api/main.js',
      'worker/main.js',
      'scripts/migrate.js',
      'sandbox/bank/main.js',
      'sandbox/horizon/main.js',
      'sandbox/kyc/main.js',
      'workflow-bundle.js',
    ]) {
      expect(readdirSync(join(build.dist, entry, '..')), entry).toContain(entry.split('/').pop());
    }
    expect(readdirSync(build.dist)).not.toContain('test');
    // The runtime image has production dependencies only: nothing it runs may load tsx or a .ts file.
    const offenders = jsFiles(build.dist).filter((f) => {
      if (f.endsWith('workflow-bundle.js') || f.includes(`${join(build.dist, 'scripts')}/`)) return false;
      const text = readFileSync(f, 'utf8');
      return /from ['"]tsx|import\(['"]tsx|--import['"], ['"]tsx|\.ts['"]\)/.test(text);
    });
    expect(offenders).toEqual([]);
  });

  it('node dist/api/main.js serves', async () => {
    const port = await freePort();
    const env = await anchorProcessEnv();
    const api = startProcess(process.execPath, ['dist/api/main.js'], build.dir, {
      ...env,
      API_PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    started.push(api);
    await api.logLine(`API listening on http://127.0.0.1:${port}`, 60_000);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const toml = await fetch(`http://127.0.0.1:${port}/.well-known/stellar.toml`);
    expect(toml.status).toBe(200);
    expect(await toml.text()).toContain('WEB_AUTH_ENDPOINT');
    expect(await api.stop()).toBe(0);
  });

  it('node dist/worker/main.js loads the pre-built bundle and runs workflows from it', async () => {
    const env = await anchorProcessEnv();
    const worker = startProcess(process.execPath, ['dist/worker/main.js'], build.dir, env);
    started.push(worker);
    const line = await worker.logLine('worker started', 60_000);
    expect(line.workflowBundle).toBe(join(build.dist, 'workflow-bundle.js'));

    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
    try {
      const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE! });
      const result = await client.workflow.execute<() => Promise<HealthPingResult>>('healthPingWorkflow', {
        taskQueue: env.TEMPORAL_TASK_QUEUE!,
        workflowId: `build-health-${Date.now()}`,
        workflowExecutionTimeout: '60s',
      });
      expect(result).toMatchObject({ pong: true, database: 'ok' });
      expect(result.worker.endsWith(`:${worker.child.pid}`)).toBe(true);
    } finally {
      await connection.close();
    }
    expect(await worker.stop()).toBe(0);
  });

  it('a WORKFLOW_BUNDLE_PATH that does not exist stops the worker with the path, not a slow start', async () => {
    const env = await anchorProcessEnv();
    const missing = join(build.dir, 'no-such-bundle.js');
    const worker = startProcess(process.execPath, ['dist/worker/main.js'], build.dir, {
      ...env,
      WORKFLOW_BUNDLE_PATH: missing,
    });
    started.push(worker);
    expect(await worker.exited).not.toBe(0);
    expect(worker.output()).toContain(`no workflow bundle at ${missing}`);
  });
});

/**
 * Worker start time (#16 item 5): from spawning the process to its "worker started" log line (the worker is
 * created: workflow code loaded, activities registered; it polls next), against the test run's Temporal and
 * Postgres, each start in a namespace of its own.
 *
 * Ours: the production build (`npm run build` into a directory laid out like the image's /app,
 * test/helpers/build.ts): `node dist/worker/main.js`, which loads the pre-built dist/workflow-bundle.js.
 * Baseline: the start the image and compose ran before #16: `tsx worker/main.ts` (transpiled at run time, the
 * workflows bundled by webpack at every start). Alternated WORKER_START_BENCH_ROUNDS times (3).
 */
import { resolve } from 'node:path';
import { anchorProcessEnv, buildInto, startProcess } from '../helpers/build.js';
import { median, spread } from './stats.js';
import type { BenchResult } from './types.js';

const ROUNDS = Math.max(1, Number(process.env.WORKER_START_BENCH_ROUNDS ?? 3));
const REPO = resolve(import.meta.dirname, '../..');

async function timeStart(
  args: string[],
  cwd: string,
  expectBundle: (v: unknown) => boolean,
): Promise<number> {
  const env = await anchorProcessEnv();
  const t0 = performance.now();
  const worker = startProcess(process.execPath, args, cwd, env);
  try {
    const line = await worker.logLine('worker started', 300_000);
    const ms = performance.now() - t0;
    if (!expectBundle(line.workflowBundle))
      throw new Error(`${args.join(' ')}: unexpected workflow bundle ${String(line.workflowBundle)}`);
    return ms;
  } finally {
    await worker.stop();
  }
}

export async function benchWorkerStart(): Promise<BenchResult[]> {
  const build = await buildInto();
  try {
    const bundle = resolve(build.dist, 'workflow-bundle.js');
    const ours: number[] = [];
    const today: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push(await timeStart(['dist/worker/main.js'], build.dir, (v) => v === bundle));
      today.push(
        await timeStart(['--import', 'tsx', 'worker/main.ts'], REPO, (v) => v === 'bundled at start'),
      );
    }
    const ratios = today.map((t, i) => t / ours[i]!);
    const s = (ms: number[]) => ms.map((m) => (m / 1000).toFixed(1)).join(', ');
    return [
      {
        name: 'worker start, spawn → "worker started": node on the build with the pre-built workflow bundle',
        figure: median(ours) / 1000,
        unit: 's',
        baseline: median(today) / 1000,
        baselineName: 'tsx worker/main.ts, webpack at start (the image before #16)',
        ratio: median(ratios),
        target: 'starts in seconds (#16)',
        notes:
          `lower is better; ratio = baseline ÷ ours, median of ${ROUNDS} alternated pairs (spread ${spread(ratios)}). ` +
          `Ours ${s(ours)} s; baseline ${s(today)} s. The build itself: tsc ${(build.tscMs / 1000).toFixed(0)} s, ` +
          `workflow bundle ${(build.bundleMs / 1000).toFixed(0)} s, once per image.`,
      },
    ];
  } finally {
    build.remove();
  }
}

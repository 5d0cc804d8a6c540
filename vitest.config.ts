import { defineConfig } from 'vitest/config';

/**
 * Two groups, one after the other (sequence.groupOrder):
 *
 *  1. "light": unit, API, sandbox, guide and workflow files, two at a time (one per core). Each starts at most an
 *     in-process API, worker or sandbox; every file has its own Postgres schema and Temporal task queue.
 *  2. "stack": the files that start whole stacks of processes, kill them, drive a browser or fuzz the API
 *     (test/e2e, test/cluster, test/faults, the schemathesis fuzz, the console browser test), one at a time: the
 *     crash tests' timing windows assume the machine is theirs.
 *
 * Each group runs the global setup (test/setup/global.ts: Postgres, a Temporal dev server, the workflow bundles).
 */
const STACK = [
  'test/e2e/**/*.test.ts',
  'test/cluster/**/*.test.ts',
  'test/faults/**/*.test.ts',
  'test/api/fuzz.schemathesis.test.ts',
  'test/api/console.browser.test.ts',
];

const shared = {
  globalSetup: ['test/setup/global.ts'],
  setupFiles: ['test/setup/native-ed25519.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'light',
          include: ['test/**/*.test.ts'],
          exclude: [...STACK, 'test/bench/**', 'node_modules/**'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'stack',
          include: STACK,
          exclude: ['test/bench/**', 'node_modules/**'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// `npm run bench`: the benchmarks run once each, one file at a time, on the same real infrastructure as the tests,
// and test/bench/all.bench.ts writes BENCHMARKS.md. Figures, not pass/fail timings.
export default defineConfig({
  test: {
    include: ['test/bench/all.bench.ts'],
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

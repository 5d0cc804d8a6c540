import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/native-ed25519.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One file at a time on two cores (vitest's default, cores - 1): the e2e and crash files each start a whole
    // stack of processes. Every file has its own Postgres schema and Temporal task queue.
    pool: 'forks',
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/native-ed25519.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores here: files run in parallel, each with its own Postgres schema and Temporal task queue.
    pool: 'forks',
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
});

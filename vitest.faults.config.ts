import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the full fault run (test/faults/full.faults.ts), alone, on the same real infrastructure as
// the tests. Not part of `npm test`, which runs the small version (test/faults/harness.test.ts).
export default defineConfig({
  test: {
    include: ['test/faults/**/*.faults.ts'],
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/native-ed25519.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

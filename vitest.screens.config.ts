import { defineConfig } from 'vitest/config';

// `npm run screens`: drives a deposit and a withdrawal through their hosted pages in Chromium on the whole
// in-process anchor and writes one PNG per page state to docs/screens/ (the README shows some of them).
export default defineConfig({
  test: {
    include: ['test/screens/*.screens.ts'],
    globalSetup: ['test/setup/global.ts'],
    setupFiles: ['test/setup/native-ed25519.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});

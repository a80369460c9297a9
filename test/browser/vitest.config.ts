// Browser tests: real Chromium (Debian's, via playwright-core) against the built twin.
// `npm run test:browser`. The global setup builds the UI first so tests see current source.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root,
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/build-ui.global.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One Chromium at a time: the CPU renderer needs the cores.
    fileParallelism: false,
  },
});

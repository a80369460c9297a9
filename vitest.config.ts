import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/**/*.test.ts', 'edge/**/*.test.ts', 'plc-sim/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/browser/**', 'test/interop/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One module graph per worker, not per file: most files import node-opcua, the edge and the
    // simulator, and importing them anew for each file cost about half the suite's CPU (41 files:
    // 131 s CPU isolated, 68 s not). Files keep no module state for the next one; the environment
    // is reset before each file (see the setup file).
    isolate: false,
    setupFiles: ['test/support/fresh-env.setup.ts'],
  },
});

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
    // A worker per core: vitest's run-mode default is cores - 1, one file at a time on the 2-core
    // CI, while most files wait on sockets and simulated lines rather than compute (159 files:
    // 12 min 0 s with one worker, 5 min 47 s with two).
    maxWorkers: '100%',
    setupFiles: ['test/support/fresh-env.setup.ts'],
  },
});

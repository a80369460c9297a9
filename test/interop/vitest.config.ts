import { defineConfig } from 'vitest/config';

// Interop tests need Debian packages (python3-pymodbus, mbpoll, mosquitto): .ci/run installs them.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One module graph per worker, not per file: each file would otherwise import node-opcua,
    // the edge and the simulator anew (import was 63 s of a 174 s run under load). The files
    // share no module state: each starts its own peers, servers and edge on free ports; the
    // environment is reset before each file (see the setup file).
    isolate: false,
    // A worker per core: vitest's run-mode default is cores - 1, one file at a time on the 2-core
    // CI, while most files wait on sockets and simulated lines rather than compute.
    maxWorkers: '100%',
    setupFiles: ['test/support/fresh-env.setup.ts'],
  },
});

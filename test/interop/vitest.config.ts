import { defineConfig } from 'vitest/config';

// Interop tests need Debian packages (python3-pymodbus, mbpoll, mosquitto): .ci/run installs them.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

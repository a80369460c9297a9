import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/**/*.test.ts', 'edge/**/*.test.ts', 'plc-sim/**/*.test.ts'],
    exclude: ['node_modules/**', 'test/browser/**', 'test/interop/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

// End-to-end tests: the real nexus binary driven through Debian's chromium
// with playwright-core. Files run one after another; each starts its own
// server on a fresh data directory and a free port.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    retry: 0,
  },
});

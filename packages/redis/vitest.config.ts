import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Ample for a loaded machine: the multi-instance test runs four Node processes and a redis-server.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Every test file starts redis-servers of its own; this sweeps any a crashed worker left behind.
    globalSetup: ['test/global-setup.ts'],
  },
});

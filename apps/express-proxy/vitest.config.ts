import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Ample for a loaded machine: tests taking 2-3 s idle were seen taking 10 s beside stress-ng.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

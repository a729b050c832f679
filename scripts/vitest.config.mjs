import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The tests of the repo's own scripts (scripts/*.test.mjs). `npm test` runs them after the packages'
// suites, and scripts/test-summary.mjs counts their report with the others.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/scripts', import.meta.url)),
  test: {
    include: ['*.test.mjs'],
    // They start vitest and node processes of their own; generous for a loaded machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

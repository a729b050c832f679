import { defineConfig } from 'vitest/config';

// The suite runs twice: on @langchain/core 1.x (the devDependency) and on the last 0.3, installed under the
// alias `@langchain/core-0.3`. Every `@langchain/core` import of our source and of the shared tests is
// redirected to the 0.3 copy in the second project, so the handler really extends and registers with 0.3
// (a pnpm alias alone would not switch what `src` imports). Tests that need langchain 1.x or LangGraph
// (createAgent, fakeModel, interrupts, the example app's stack) run on 1.x only.

export default defineConfig({
  test: {
    // Ample for a loaded machine: tests taking 2-3 s idle were seen taking 10 s beside stress-ng.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'core-1.x',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          env: { LANGCHAIN_CORE_LINE: '1' },
        },
      },
      {
        extends: true,
        resolve: { alias: [{ find: /^@langchain\/core(?=\/|$)/, replacement: '@langchain/core-0.3' }] },
        test: {
          name: 'core-0.3',
          include: ['test/shared/**/*.test.ts'],
          env: { LANGCHAIN_CORE_LINE: '0.3' },
        },
      },
    ],
  },
});

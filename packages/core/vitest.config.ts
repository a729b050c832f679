import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { WORKER_SOURCE_FILE, workerSourceModule } from './bundle-worker.mjs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  // Same constant tsup inlines at build time (see tsup.config.ts).
  define: { __CHATTRAIL_CORE_VERSION__: JSON.stringify(version) },
  // The delivery worker from src, as the build embeds it (see bundle-worker.mjs).
  plugins: [
    {
      name: 'chattrail-worker-source',
      // Never from vitest's fsModuleCache: it keys a module on its own file, and this one is built from
      // src/worker/, so the cache would serve a worker bundled before the last edit.
      configureVitest(context: {
        defineCacheKeyGenerator(generate: (file: { id: string }) => false | undefined): void;
      }) {
        context.defineCacheKeyGenerator(({ id }) => (WORKER_SOURCE_FILE.test(id) ? false : undefined));
      },
      load(id) {
        if (!WORKER_SOURCE_FILE.test(id)) return undefined;
        return workerSourceModule({ __CHATTRAIL_CORE_VERSION__: JSON.stringify(version) });
      },
    },
  ],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Ample for a loaded machine: tests taking 2-3 s idle were seen taking 10 s beside stress-ng.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

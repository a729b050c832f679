import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { WORKER_SOURCE_FILE, workerSourceModule } from './bundle-worker.mjs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  // `node`: the Node-only subpath (`@chattrail/core/node`); the main entry stays Edge-safe. `adapter`: the
  // helpers adapter packages share (`@chattrail/core/adapter`).
  entry: ['src/index.ts', 'src/node.ts', 'src/adapter.ts'],
  format: ['esm', 'cjs'],
  // Shared chunks in CJS too, not one copy of the code per entry: `isRetryableError` from `/adapter` must
  // see the very `APIError` class the root's clients throw, or `instanceof` fails under require().
  splitting: true,
  dts: true,
  clean: true,
  // No source maps: they were 60-70% of every tarball (core 1,476 kB unpacked, 882 kB of it maps). Without
  // sourcesContent they point at src/ files we do not ship, and Vite/vitest warn "points to missing source
  // files". The bundle is not minified and marks each module with a `// src/<file>.ts` line. (issue 24)
  sourcemap: false,
  target: 'node20',
  // Inlined so the SDK header names the published version without bundling package.json.
  define: { __CHATTRAIL_CORE_VERSION__: JSON.stringify(version) },
  // The delivery worker, bundled on its own and embedded as a string (see bundle-worker.mjs).
  esbuildPlugins: [
    {
      name: 'chattrail-worker-source',
      setup(build) {
        build.onLoad({ filter: WORKER_SOURCE_FILE }, async () => ({
          contents: await workerSourceModule({ __CHATTRAIL_CORE_VERSION__: JSON.stringify(version) }),
          loader: 'ts',
        }));
      },
    },
  ],
  // `import.meta.url` in the CommonJS build too: src/node/undici-transport.ts loads undici with
  // `createRequire(import.meta.url)`.
  shims: true,
});

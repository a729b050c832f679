import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // No source maps: they were 60-70% of every tarball (core 1,476 kB unpacked, 882 kB of it maps). Without
  // sourcesContent they point at src/ files we do not ship, and Vite/vitest warn "points to missing source
  // files". The bundle is not minified and marks each module with a `// src/<file>.ts` line. (issue 24)
  sourcemap: false,
  target: 'node20',
  // The app's own @langchain/core must be the one we extend and register with: a second copy would have
  // its own callback queue and configure hooks, and `instanceof BaseCallbackHandler` checks would fail.
  external: ['@langchain/core', '@chattrail/core'],
});

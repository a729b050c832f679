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
});

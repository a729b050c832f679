import { defineConfig } from 'tsup';

// dist is cleaned by the build script: two configs run in parallel and must not clean each other's output.
// No source maps: they were 60-70% of every tarball (core 1,476 kB unpacked, 882 kB of it maps). Without
// sourcesContent they point at src/ files we do not ship, and Vite/vitest warn "points to missing source
// files". The bundle is not minified and marks each module with a `// src/<file>.ts` line. (issue 24)
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: false,
    target: 'node20',
  },
  {
    // The CLI is an executable, not an import target: one ESM file with its shebang kept.
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: false,
    target: 'node20',
  },
]);

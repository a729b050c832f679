import { defineConfig } from 'tsup';

// dist is cleaned by the build script: two configs run in parallel and must not clean each other's output.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    // The CLI is an executable, not an import target: one ESM file with its shebang kept.
    entry: ['src/cli.ts'],
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
]);

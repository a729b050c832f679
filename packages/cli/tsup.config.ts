import { defineConfig } from 'tsup';

// No source maps, as in the other packages (see packages/core/tsup.config.ts).
// dist is cleaned by the build script: two configs run in parallel and must not clean each other's output.
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

import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  // `node`: the Node-only subpath (`@chattrail/core/node`); the main entry stays Edge-safe.
  entry: ['src/index.ts', 'src/node.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Inlined so the SDK header names the published version without bundling package.json.
  define: { __CHATTRAIL_CORE_VERSION__: JSON.stringify(version) },
});

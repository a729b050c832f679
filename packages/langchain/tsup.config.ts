import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The app's own @langchain/core must be the one we extend and register with: a second copy would have
  // its own callback queue and configure hooks, and `instanceof BaseCallbackHandler` checks would fail.
  external: ['@langchain/core', '@chattrail/core'],
});

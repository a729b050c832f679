// Bundles the delivery worker (src/worker/worker-main.ts) into one self-contained CommonJS script, and
// returns the module that replaces src/pipeline/worker-source.ts: the script as a string. The trail starts
// it with `new Worker(source, { eval: true })`, so no file is looked up at run time: it works the same from
// the packed package in ESM and CJS apps and inside an app's bundle (esbuild, webpack, Next.js).
import { build } from 'esbuild';

export const WORKER_SOURCE_FILE = /[\\/]src[\\/]pipeline[\\/]worker-source\.ts$/;

export async function workerSourceModule(define) {
  const result = await build({
    entryPoints: [new URL('./src/worker/worker-main.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // CHATTRAIL_WORKER_UNMINIFIED=1 at build time keeps the names, for profiling the worker.
    minify: process.env.CHATTRAIL_WORKER_UNMINIFIED !== '1',
    legalComments: 'none',
    // The script has no location: undiciTransport() resolves undici from where worker-main.ts says.
    define: { ...define, 'import.meta.url': 'globalThis.__chattrailUndiciFrom' },
  });
  return `export const WORKER_SOURCE = ${JSON.stringify(result.outputFiles[0].text)};\n`;
}

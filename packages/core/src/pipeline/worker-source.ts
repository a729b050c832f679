// The delivery worker's script: src/worker/worker-main.ts bundled into one CommonJS file, put in this
// string by the build (tsup.config.ts) and by vitest (vitest.config.ts), both through bundle-worker.mjs.
// Empty when neither ran: the trail then delivers inline.
export const WORKER_SOURCE: string = '';

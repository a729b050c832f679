// The delivery worker's script (src/worker/worker-main.ts bundled), put here by bundle-worker.mjs for the
// build (tsup.config.ts) and vitest (vitest.config.ts). Empty when neither ran: the trail delivers inline.
export const WORKER_SOURCE: string = '';

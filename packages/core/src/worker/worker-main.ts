// The delivery worker's entry: bundled on its own into one script (see tsup.config.ts) that the trail
// starts with `new Worker(source, { eval: true })`, so no file has to be found at run time.
import { parentPort, workerData } from 'node:worker_threads';
import type { Transport } from '../http/transport';
import { undiciTransport } from '../node/undici-transport';
import type { FromWorker, ToWorker, WorkerInit } from '../pipeline/worker-protocol';
import { lowerThreadPriority } from './lower-thread-priority';
import { WorkerLanes } from './worker-lanes';

const port = parentPort!;
const init = workerData as WorkerInit;
lowerThreadPriority();

/** undiciTransport() from the first of `undiciFrom` it loads from (bundle-worker.mjs), else global fetch. */
function transport(): Transport | undefined {
  const global = globalThis as { __chattrailUndiciFrom?: string };
  for (const from of init.undiciFrom) {
    global.__chattrailUndiciFrom = from;
    try {
      return undiciTransport();
    } catch {}
  }
  return undefined;
}

const lanes = new WorkerLanes(init, (message: FromWorker) => port.postMessage(message), transport);
port.on('message', (message: ToWorker) => lanes.receive(message));

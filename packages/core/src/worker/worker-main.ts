// The delivery worker's entry: bundled on its own into one script (see tsup.config.ts) that the trail
// starts with `new Worker(source, { eval: true })`, so no file has to be found at run time.
import { parentPort, workerData } from 'node:worker_threads';
import { createNodeFetch } from '../node/create-node-fetch';
import type { FromWorker, ToWorker, WorkerInit } from '../pipeline/worker-protocol';
import { WorkerLanes } from './worker-lanes';

const port = parentPort!;
// Node's cheaper transport for these JSON APIs, one per destination (the global fetch costs the worker
// several times the CPU per request: it fell behind at 10,000 turns/s, see BENCHMARKS.md). The undici
// transport of @chattrail/core/node takes its place once it lands (issue 27, item 2).
const lanes = new WorkerLanes(
  workerData as WorkerInit,
  (message: FromWorker) => port.postMessage(message),
  () => createNodeFetch(),
);
port.on('message', (message: ToWorker) => lanes.receive(message));

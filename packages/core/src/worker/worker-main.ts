// The delivery worker's entry: bundled on its own into one script (see tsup.config.ts) that the trail
// starts with `new Worker(source, { eval: true })`, so no file has to be found at run time.
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerInit } from '../pipeline/worker-protocol';
import { WorkerLanes } from './worker-lanes';

const port = parentPort!;
const lanes = new WorkerLanes(workerData as WorkerInit, (message: FromWorker) => port.postMessage(message));
port.on('message', (message: ToWorker) => lanes.receive(message));

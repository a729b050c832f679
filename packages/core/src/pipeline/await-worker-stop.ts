import type { WorkerLike } from './worker-delivery';
import type { FromWorker } from './worker-protocol';

/** Beyond the worker's own bound (2 × graceMs, see stopLanes): how long a stop waits for its answer. */
const STOP_MARGIN_MS = 1_000;

/**
 * Asks the delivery worker to stop its lanes with a grace (`stop`); resolves once it answers `stopped`
 * (its report of their outcomes came first), ends, or 2 × `graceMs` + a margin passed. The worker and the
 * timer are ref'd meanwhile, as stopLanes' timers are: on `beforeExit` they keep the process up for it.
 */
export function awaitWorkerStop(worker: WorkerLike, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, 2 * graceMs + STOP_MARGIN_MS);
    worker.on('message', (message: FromWorker) => {
      if (message.t === 'stopped') done();
    });
    worker.on('exit', done);
    worker.ref();
    worker.postMessage({ t: 'stop', graceMs });
  });
}

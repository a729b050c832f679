import { type DestinationSpec, specOf } from '../destinations/destination-spec';
import { messageOf } from '../internal/message-of';
import { nodeBuiltin } from '../internal/node-builtin';
import type { ChatTrailDestination } from '../spec/chat-trail-destination';
import type { LaneHost } from './lane-host';
import type { LaneReporter } from './lane-reporter';
import type { TrailLane } from './trail-lane';
import type { TrailSettings } from './trail-settings';
import { WorkerDelivery, type WorkerThreads } from './worker-delivery';
import type { WorkerInit } from './worker-protocol';
import { WORKER_SOURCE } from './worker-source';

/** Where delivery runs: `'worker'` (Node; the default wherever one can run), `'inline'` (on the app's thread). */
export type DeliveryMode = 'worker' | 'inline';

/** The lanes of a trail that delivers from a worker thread, or `undefined` to deliver inline (see `why`). */
export function startWorkerDelivery(
  settings: Pick<TrailSettings, 'delivery' | 'flushIntervalMs' | 'debug' | 'lane'>,
  destinations: readonly ChatTrailDestination[],
  host: LaneHost,
  reporter: LaneReporter,
): TrailLane[] | undefined {
  const { delivery: mode, flushIntervalMs } = settings;
  if (mode === 'inline' || destinations.length === 0) return undefined;
  const specs = destinations.map(specOf);
  try {
    const threads = workerThreads();
    const why =
      threads === undefined || WORKER_SOURCE === ''
        ? 'no worker threads here'
        : specs.some((spec) => spec === undefined)
          ? 'a destination cannot be built in a worker (a custom one, or one given a fetch, transport, client or conversationStore)'
          : host.store !== undefined
            ? 'the trail has a store (its client cannot cross to another thread)'
            : destinations.length > 30
              ? 'more than 30 destinations'
              : undefined;
    if (why !== undefined) {
      if (mode === 'worker') host.debug(`delivering inline: ${why}`);
      return undefined;
    }
    const workerInit: WorkerInit = {
      specs: specs as DestinationSpec[],
      host: settings.lane,
      flushIntervalMs,
      debug: settings.debug,
      undiciFrom: undiciFrom(),
    };
    return new WorkerDelivery(threads!, WORKER_SOURCE, destinations, workerInit, host, reporter).lanes;
  } catch (error) {
    host.debug(`delivering inline: the delivery worker could not start (${messageOf(error)})`);
    return undefined;
  }
}

/** Where the worker looks for undici: beside this package, then the working directory (its script has no location). */
function undiciFrom(): string[] {
  const from = typeof import.meta.url === 'string' ? [import.meta.url] : [];
  const cwd = (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
  return cwd === undefined ? from : [...from, `${cwd}/`];
}

/** `node:worker_threads` on Node, reached without an import so that bundles for Edge never see it. */
function workerThreads(): WorkerThreads | undefined {
  const { Bun, Deno, process } = globalThis as { Bun?: unknown; Deno?: unknown; process?: NodeJS.Process };
  if (Bun !== undefined || Deno !== undefined || process?.release?.name !== 'node') return undefined;
  const module = nodeBuiltin<Partial<WorkerThreads>>('node:worker_threads');
  return typeof module?.Worker === 'function' ? (module as WorkerThreads) : undefined;
}

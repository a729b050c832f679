import { access, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How many nice steps the delivery worker's thread takes below the thread that started it. */
export const WORKER_NICE_STEPS = 10;

/**
 * Lowers the calling thread's priority on Linux, where a nice value is per thread, by `steps` below what it
 * inherited from the app (at most to 19), so that on a busy host the app's own threads get the CPU before
 * delivery (see BENCHMARKS.md). An optimisation: any failure (no /proc, not permitted) leaves it as it was.
 */
export function lowerThreadPriority(steps = WORKER_NICE_STEPS): void {
  if (process.platform !== 'linux') return;
  try {
    // libuv's thread pool is the process's, started by the first thread that uses it and inheriting that
    // thread's priority: started now, before lowering ours, if no one has yet.
    access('/', () => {});
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + steps));
  } catch {}
}

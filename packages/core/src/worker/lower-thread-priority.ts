import { access, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The nice value the delivery worker's thread takes (0 is the app's; 19 the lowest priority). */
export const WORKER_NICE = 10;

/**
 * Lowers the calling thread's priority on Linux, where a nice value is per thread, so that on a busy host
 * the app's own threads get the CPU before delivery (see BENCHMARKS.md). An optimisation: any failure (not
 * Linux, no /proc, not permitted) leaves the priority as it was. Returns the thread id it lowered.
 */
export function lowerThreadPriority(nice = WORKER_NICE): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    // libuv's thread pool is the process's, started by the first thread that uses it and inheriting that
    // thread's priority: started now, before lowering ours, if no one has yet.
    access('/', () => {});
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (!(tid > 0)) return undefined;
    // Never raised: a thread started nicer than `nice` (the app run under `nice`) stays so.
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return tid;
  } catch {
    return undefined;
  }
}

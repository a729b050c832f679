import { nodeBuiltin } from '../internal/node-builtin';

/** How many nice steps the delivery worker's thread takes below the thread that started it. */
export const WORKER_NICE_STEPS = 10;

type Fs = { access(path: string, done: () => void): void; readlinkSync(path: string): string };
type Os = { getPriority(tid: number): number; setPriority(tid: number, nice: number): void };

/**
 * Lowers the calling thread's priority on Linux, where a nice value is per thread, by `steps` below what it
 * inherited from the app (at most to 19), so that on a busy host the app's own threads get the CPU before
 * delivery (see BENCHMARKS.md). An optimisation: any failure (no /proc, not permitted) leaves it as it was.
 */
export function lowerThreadPriority(steps = WORKER_NICE_STEPS): void {
  const fs = nodeBuiltin<Fs>('node:fs');
  const os = nodeBuiltin<Os>('node:os');
  if ((globalThis as { process?: { platform?: string } }).process?.platform !== 'linux' || !fs || !os) return;
  try {
    // libuv's thread pool is the process's, started by the first thread that uses it and inheriting that
    // thread's priority: started now, before lowering ours, if no one has yet.
    fs.access('/', () => {});
    const tid = Number(/\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1]);
    if (tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + steps));
  } catch {}
}

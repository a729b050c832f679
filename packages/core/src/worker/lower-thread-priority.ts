/** How many nice steps the delivery worker's thread takes below the thread that started it. */
export const WORKER_NICE_STEPS = 10;

interface Builtins {
  platform?: string;
  getBuiltinModule?(id: 'node:fs'): {
    access(path: string, done: () => void): void;
    readlinkSync(path: string): string;
  };
  getBuiltinModule?(id: 'node:os'): {
    getPriority(tid: number): number;
    setPriority(tid: number, nice: number): void;
  };
}

/**
 * Lowers the calling thread's priority on Linux, where a nice value is per thread, by `steps` below what it
 * inherited from the app (at most to 19), so that on a busy host the app's own threads get the CPU before
 * delivery (see BENCHMARKS.md). An optimisation: any failure (not Linux, no /proc, not permitted, a Node
 * without `process.getBuiltinModule`) leaves the priority as it was.
 */
export function lowerThreadPriority(steps = WORKER_NICE_STEPS): void {
  const process = (globalThis as { process?: Builtins }).process;
  if (process?.platform !== 'linux' || typeof process.getBuiltinModule !== 'function') return;
  try {
    const fs = process.getBuiltinModule('node:fs');
    const os = process.getBuiltinModule('node:os');
    // libuv's thread pool is the process's, started by the first thread that uses it and inheriting that
    // thread's priority: started now, before lowering ours, if no one has yet.
    fs.access('/', () => {});
    const tid = Number(/\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1]);
    if (tid > 0) os.setPriority(tid, Math.min(19, os.getPriority(tid) + steps));
  } catch {}
}

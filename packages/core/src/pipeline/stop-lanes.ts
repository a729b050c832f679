import type { TrailLane } from './trail-lane';

/**
 * Stops the lanes so what each destination got is known before the spool closes: batches in flight get
 * `graceMs` (a POST cut off could be stored twice on replay), then abort and settle (`graceMs` again). The
 * timers are ref'd: on `beforeExit` they keep the process up until the spool is closed.
 */
export async function stopLanes(lanes: readonly TrailLane[], stopping: AbortController, graceMs: number) {
  stopping.abort();
  const elsewhere =
    graceMs > 0 ? lanes.map((lane) => lane.stopGracefully?.(graceMs)).filter((p) => p !== undefined) : [];
  await settled(lanes, graceMs);
  for (const lane of lanes) if (lane.stopGracefully === undefined || graceMs <= 0) lane.stop();
  await settled(lanes, graceMs);
  await Promise.all(elsewhere);
}

async function settled(lanes: readonly TrailLane[], ms: number): Promise<void> {
  const running = lanes.map((lane) => lane.running).filter((run) => run !== undefined);
  if (running.length > 0 && ms > 0) await within(Promise.allSettled(running), ms);
}

/** Waits for `promise`, at most `ms` (a hanging backend cannot hold the caller past it). */
export async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

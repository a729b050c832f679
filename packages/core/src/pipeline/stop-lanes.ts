import type { TrailLane } from './trail-lane';

/**
 * Stops the lanes for good, so that what each destination got is known before the spool closes:
 * 1. `stopping` (the lanes' `LaneHost.signal`, the batches' `context.stopping`) fires: no batch, and no
 *    thread of the built-in destinations, starts any more;
 * 2. the batches in flight get up to `graceMs` to finish, so that a POST the server may already have
 *    stored is not cut off (cut off, its outcome is unknown, and a replay could store it twice);
 * 3. the lanes abort what is still in flight, and those batches settle (at most `graceMs` again): their
 *    outcomes acknowledge in the spool what they delivered, threads done before the abort included.
 * Lanes in the delivery worker do the same there (`stopGracefully`), at the same time, and the trail has
 * their outcomes when it resolves. The timers are not unref'd: on `beforeExit` they keep the process up
 * until the spool is closed.
 */
export async function stopLanes(
  lanes: readonly TrailLane[],
  stopping: AbortController,
  graceMs: number,
): Promise<void> {
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
  if (running.length === 0 || ms <= 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.allSettled(running),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

import type { FlushOptions, FlushReport } from '../spec/chat-trail';
import { within } from './stop-lanes';
import type { TrailErrors } from './trail-errors';
import type { TrailLane } from './trail-lane';

/** Sends what the lanes hold until empty or `timeoutMs`; reports what is pending, dropped and failed since. */
export async function flushLanes(
  lanes: readonly TrailLane[],
  timeoutMs: number,
  errors: TrailErrors,
  failed: (error: unknown) => void,
): Promise<FlushReport> {
  const started = Date.now();
  const droppedBefore = deliveryDrops(lanes);
  try {
    await within(Promise.all(lanes.map((lane) => lane.drain(started + timeoutMs))), timeoutMs);
  } catch (error) {
    failed(error);
  }
  const pendingTurns = lanes.reduce((sum, lane) => sum + lane.pending, 0);
  const droppedTurns = deliveryDrops(lanes) - droppedBefore;
  const remembered = errors.since(started);
  const report: FlushReport = { ok: pendingTurns === 0 && droppedTurns === 0, pendingTurns };
  if (droppedTurns > 0) report.droppedTurns = droppedTurns;
  if (remembered.length > 0) report.errors = remembered;
  return report;
}

/** What a lane drops of what it queued (not what the trail or the spool counts). */
const LANE_DROPS = [
  'queue_full',
  'permanent_error',
  'too_large',
  'internal_error',
  'retries_exhausted',
] as const;

/** Turns and feedback the lanes dropped after queueing them, in all. */
function deliveryDrops(lanes: readonly TrailLane[]): number {
  let total = 0;
  for (const lane of lanes) {
    const { dropped, feedback } = lane.snapshot();
    for (const reason of LANE_DROPS) total += dropped[reason];
    total += feedback.dropped;
  }
  return total;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

export function flushTimeout(options: FlushOptions | undefined): number {
  const timeoutMs = options?.timeoutMs;
  return typeof timeoutMs === 'number' && timeoutMs >= 0 && Number.isFinite(timeoutMs)
    ? timeoutMs
    : DEFAULT_FLUSH_TIMEOUT_MS;
}

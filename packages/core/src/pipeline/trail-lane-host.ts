import type { ChatTrailStore } from '../spec/chat-trail-store';
import type { Spool } from '../spool/spool';
import { GuardedStore } from './guarded-store';
import type { LaneHost } from './lane-host';
import type { LaneReporter } from './lane-reporter';
import type { LaneScheduler } from './lane-scheduler';
import type { QueuedBytes } from './queued-bytes';
import type { TrailErrors } from './trail-errors';
import type { TrailLane } from './trail-lane';
import type { TrailSettings } from './trail-settings';

/** What a trail's lanes get of it: its settings, and where they report. */
export function trailLaneHost(
  settings: TrailSettings,
  trail: {
    signal: AbortSignal;
    queued: QueuedBytes;
    lanes: readonly TrailLane[];
    scheduler: () => LaneScheduler;
    reporter: LaneReporter;
    spool: () => Spool | undefined;
    store: ChatTrailStore | undefined;
    errors: TrailErrors;
    debug: (message: string) => void;
  },
): LaneHost {
  const { store, debug } = trail;
  return {
    ...settings.limits,
    flushAt: settings.flushAt,
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    backoffInitialMs: settings.backoffInitialMs,
    backoffMaxMs: settings.backoffMaxMs,
    signal: trail.signal,
    queued: trail.queued,
    debug,
    waiting: () => trail.scheduler().armTimer(),
    ...trail.reporter,
    settled: (lane, items) => trail.spool()?.ack(trail.lanes.indexOf(lane), items),
    ...(store === undefined ? {} : { store: new GuardedStore(store, trail.errors, debug) }),
  };
}

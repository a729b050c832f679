import type { DestinationStats, DropCounts, DropReason } from '../spec/chat-trail';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { TurnDelta } from '../thread/turn-delta';
import type { DeliveryLane } from './delivery-lane';
import type { GuardedStore } from './guarded-store';
import type { QueuedItem } from './lane-queue';
import type { TrailLane } from './trail-lane';

/** A lane's settings (what crosses to the delivery worker). */
export interface LaneSettings {
  readonly maxQueueTurns: number;
  readonly maxQueueBytes: number;
  readonly maxBatchTurns: number;
  readonly flushAt: number;
  /** Batches start at least this long apart (start to start) unless a flush waits; 0: back to back. */
  readonly minBatchIntervalMs: number;
  readonly timeoutMs: number;
  /** Failures counted against one item before it is dropped as `retries_exhausted`. */
  readonly maxAttempts: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

export interface LaneHost extends LaneSettings {
  /** Fires when the trail stops: no batch starts any more (requests have per-batch signals, see stopLanes). */
  readonly signal: AbortSignal;
  readonly queued?: QueuedBytes;
  debug(message: string): void;
  /** Fewer than `flushAt` items are left after a batch: arm the interval timer for them. */
  waiting(): void;
  /** Items given up for `reason`; `error` explains why. */
  dropped(lane: DeliveryLane, reason: DropReason, items: readonly QueuedItem[], error?: unknown): void;
  failed(lane: DeliveryLane, error: unknown): void;
  /** A request of a batch in flight failed and is about to be retried by a custom destination itself. */
  retrying?(lane: DeliveryLane, error: unknown): void;
  /** A request whose outcome is unknown was taken as done, not sent again (at-most-once): it may be lost. */
  notResent?(lane: DeliveryLane, error: unknown): void;
  /** The lane delivered these items. */
  delivered?(lane: TrailLane, items: readonly DeliveryItem[]): void;
  /** The lane gave these items up for good (not for room: a spool keeps those for the next start). */
  gaveUp?(lane: TrailLane, items: readonly DeliveryItem[]): void;
  readonly store?: GuardedStore;
}

export function emptyDropCounts(): DropCounts {
  return {
    queue_full: 0,
    permanent_error: 0,
    too_large: 0,
    shutdown: 0,
    redact_error: 0,
    invalid_turn: 0,
    internal_error: 0,
    retries_exhausted: 0,
    spool_full: 0,
  };
}

export function emptyStats(): DestinationStats {
  return {
    sent: 0,
    sentMessages: 0,
    requests: 0,
    retried: 0,
    ambiguous: 0,
    dropped: emptyDropCounts(),
    queuedTurns: 0,
    queuedBytes: 0,
    feedback: { recorded: 0, sent: 0, dropped: 0 },
    backoffMs: 0,
  };
}

/** `a` plus `b`, number by number. */
export function addStats<T extends object>(a: T, b: T): T {
  const sum = { ...a } as Record<string, unknown>;
  for (const [key, value] of Object.entries(a)) {
    const other = (b as Record<string, unknown>)[key];
    sum[key] = typeof value === 'number' ? value + ((other as number) ?? 0) : addStats(value, other ?? {});
  }
  return sum as T;
}

/** `stats().queuedBytes`: each item counted once however many lanes hold it (they share one object). */
export class QueuedBytes {
  bytes = 0;

  hold(item: DeliveryItem, bytes: number): void {
    if (!(item instanceof TurnDelta) || item.hold()) this.bytes += bytes;
  }

  release(item: DeliveryItem, bytes: number): void {
    if (!(item instanceof TurnDelta) || item.release()) this.bytes -= bytes;
  }
}

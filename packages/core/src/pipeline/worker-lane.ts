import type { DestinationStats, DropReason } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import { emptyDropCounts } from './lane-host';
import type { TrailLane } from './trail-lane';
import type { WorkerDelivery } from './worker-delivery';

/** A destination's lane as the trail sees it when the lane itself runs in the delivery worker. */
export class WorkerLane implements TrailLane {
  readonly name: string;
  /** Items not yet acknowledged by the worker: the trail holds them until it says they were sent or dropped. */
  pending = 0;
  bytes = 0;
  /** The running worker's counts. */
  stats = emptyStats();
  /** What workers that ended had counted, and the drops counted here. */
  #base = emptyStats();

  constructor(
    readonly destination: ChatTrailDestination,
    readonly index: number,
    readonly delivery: WorkerDelivery,
  ) {
    this.name = destination.name;
  }

  get queueLength(): number {
    return this.pending;
  }

  readonly enqueue = (item: DeliveryItem, bytes: number) => this.delivery.add(this, item, bytes);
  /** The worker schedules its own batches. */
  readonly kick = () => {};
  readonly drain = (deadline: number) => this.delivery.drain(deadline);
  readonly stop = () => this.delivery.stop();
  readonly stopGracefully = (graceMs: number) => this.delivery.stopGracefully(graceMs);
  readonly pendingItems = () => this.delivery.pendingItems(this);

  snapshot(): DestinationStats {
    const { backoffMs } = this.stats;
    return {
      ...addStats(this.#base, this.stats),
      queuedTurns: this.pending,
      queuedBytes: this.bytes,
      backoffMs,
    };
  }

  /** A drop the worker never saw. */
  countDrop(item: DeliveryItem, reason: DropReason): void {
    if (item.type === 'feedback') this.#base.feedback.dropped++;
    else this.#base.dropped[reason]++;
  }

  /** The worker ended: the next one counts from zero. */
  workerEnded(): void {
    this.#base = addStats(this.#base, this.stats);
    this.stats = emptyStats();
  }
}

function emptyStats(): DestinationStats {
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

/** `a` plus `b`, number by number: the counts of a worker that ended and of the one after it. */
function addStats<T extends object>(a: T, b: T): T {
  const sum = { ...a } as Record<string, unknown>;
  for (const [key, value] of Object.entries(a)) {
    const other = (b as Record<string, unknown>)[key];
    sum[key] = typeof value === 'number' ? value + ((other as number) ?? 0) : addStats(value, other ?? {});
  }
  return sum as T;
}

import type { DestinationStats, DropReason } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import { emptyDropCounts } from './lane-host';
import type { TrailLane } from './trail-lane';
import type { WorkerDelivery } from './worker-delivery';

/** A destination's lane as the trail sees it when the lane itself runs in the delivery worker. */
export class WorkerLane implements TrailLane {
  readonly name: string;
  readonly destination: ChatTrailDestination;
  readonly index: number;
  readonly #delivery: WorkerDelivery;
  /** Items not yet acknowledged by the worker: the trail holds them until it says they were sent or dropped. */
  pending = 0;
  bytes = 0;
  /** The running worker's counts. */
  stats = emptyStats();
  /** What workers that ended had counted, and the drops counted here. */
  #base = emptyStats();

  constructor(destination: ChatTrailDestination, index: number, delivery: WorkerDelivery) {
    this.name = destination.name;
    this.destination = destination;
    this.index = index;
    this.#delivery = delivery;
  }

  get queueLength(): number {
    return this.pending;
  }

  enqueue(item: DeliveryItem, bytes: number): void {
    this.#delivery.add(this, item, bytes);
  }

  /** The worker schedules its own batches. */
  kick(): void {}

  drain(deadline: number): Promise<void> {
    return this.#delivery.drain(deadline);
  }

  stop(): void {
    this.#delivery.stop();
  }

  stopGracefully(graceMs: number): Promise<void> {
    return this.#delivery.stopGracefully(graceMs);
  }

  pendingItems(): DeliveryItem[] {
    return this.#delivery.pendingItems(this);
  }

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

/** The counts of two workers (one that ended, the one after it) added up; queue and backoff are `a`'s. */
function addStats(a: DestinationStats, b: DestinationStats): DestinationStats {
  const dropped = { ...a.dropped };
  for (const reason of Object.keys(dropped) as DropReason[]) dropped[reason] += b.dropped[reason] ?? 0;
  return {
    ...a,
    sent: a.sent + b.sent,
    sentMessages: a.sentMessages + b.sentMessages,
    requests: a.requests + b.requests,
    retried: a.retried + b.retried,
    ambiguous: a.ambiguous + b.ambiguous,
    dropped,
    feedback: {
      recorded: 0,
      sent: a.feedback.sent + b.feedback.sent,
      dropped: a.feedback.dropped + b.feedback.dropped,
    },
  };
}

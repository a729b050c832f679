import type { DestinationStats, DropReason } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import { addStats, emptyStats } from './lane-host';
import { PinnedThreads } from './pinned-threads';
import type { TrailLane } from './trail-lane';
import type { WorkerDelivery } from './worker-delivery';

/** A destination's lane as the trail sees it when the lane itself runs in the delivery worker. */
export class WorkerLane implements TrailLane {
  readonly name: string;
  /** Items not yet acknowledged by the worker: the trail holds them until it says they were sent or dropped. */
  pending = 0;
  bytes = 0;
  /** The worker lane's, as last reported. */
  pins = { bytes: 0 };
  /** Of `pending`, those not handed to the worker yet (`from`: where in the outbox `#trim` got to). */
  waiting = waitingFor();
  /** The running worker's counts. */
  stats = emptyStats();
  /** What workers that ended had counted (but their backoff), and the drops counted here. */
  #base = emptyStats();

  constructor(
    readonly destination: ChatTrailDestination,
    readonly index: number,
    readonly delivery: WorkerDelivery,
  ) {
    this.name = destination.name;
  }

  /** Never `flushAt`: the worker schedules its own batches, a kick from here would be a microtask per turn. */
  get queueLength(): number {
    return 0;
  }

  readonly enqueue = (item: DeliveryItem, bytes: number) => this.delivery.add(this, item, bytes);
  readonly kick = () => {};
  readonly drain = (deadline: number) => this.delivery.drain(deadline);
  readonly stop = () => this.delivery.stop();
  readonly stopGracefully = (graceMs: number) => this.delivery.stopGracefully(graceMs);
  readonly pendingItems = () => this.delivery.pendingItems(this);

  snapshot(): DestinationStats {
    const queuedBytes = this.bytes + this.pins.bytes;
    return { ...addStats(this.#base, this.stats), queuedTurns: this.pending, queuedBytes };
  }

  /** A drop the worker never saw. */
  countDrop(item: DeliveryItem, reason: DropReason): void {
    if (item.type === 'feedback') this.#base.feedback.dropped++;
    else this.#base.dropped[reason]++;
  }

  /** The worker ended: the next one counts from zero. */
  workerEnded(): void {
    this.#base = { ...addStats(this.#base, this.stats), backoffMs: 0 };
    this.stats = emptyStats();
  }
}

export const waitingFor = (turns = 0, bytes = 0) => ({ turns, bytes, from: 0, pins: new PinnedThreads() });

import type { DestinationStats } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import type { TrailLane } from './trail-lane';
import type { WorkerDelivery } from './worker-delivery';

/** A destination's lane as the trail sees it when the lane itself runs in the delivery worker. */
export class WorkerLane implements TrailLane {
  readonly name: string;
  readonly destination: ChatTrailDestination;
  readonly #delivery: WorkerDelivery;
  readonly #index: number;

  constructor(destination: ChatTrailDestination, delivery: WorkerDelivery, index: number) {
    this.name = destination.name;
    this.destination = destination;
    this.#delivery = delivery;
    this.#index = index;
  }

  /** Items not yet acknowledged by the worker: the trail holds them until it says they were sent or dropped. */
  get queueLength(): number {
    return this.#delivery.pending(this.#index);
  }

  get pending(): number {
    return this.#delivery.pending(this.#index);
  }

  enqueue(item: DeliveryItem, bytes: number): void {
    this.#delivery.add(this.#index, item, bytes);
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
    return this.#delivery.pendingItems(this.#index);
  }

  snapshot(): DestinationStats {
    return this.#delivery.snapshot(this.#index);
  }
}

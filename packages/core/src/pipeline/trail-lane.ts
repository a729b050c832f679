import type { DestinationStats } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';

/** What a trail needs of a destination's lane: a `DeliveryLane` (inline), or a `WorkerLane` (in the worker). */
export interface TrailLane {
  readonly name: string;
  readonly destination: Pick<ChatTrailDestination, 'name' | 'acceptsFeedback'>;
  readonly queueLength: number;
  readonly pending: number;
  /** Bytes of the threads its turns read before their own messages (see `PinnedThreads`). */
  readonly pins: { readonly bytes: number };
  /** The batch in flight, if any (an inline lane's; a worker's batches are the worker's). */
  readonly running?: Promise<void> | undefined;
  enqueue(item: DeliveryItem, bytes: number): void;
  kick(): void;
  drain(deadline: number): Promise<void>;
  stop(): void;
  /** Shutdown with a grace, for lanes in the delivery worker: `stopLanes` there, then `stop()`. */
  stopGracefully?(graceMs: number): Promise<void>;
  pendingItems(): DeliveryItem[];
  snapshot(): DestinationStats;
}

import { Deque } from '../internal/deque';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { TurnDelta, turnThreadId } from '../thread/turn-delta';

/** An item waiting in a lane with its estimated size. */
export interface QueuedItem {
  item: DeliveryItem;
  bytes: number;
  /** Set once the item has failed transiently; undefined while it never has (most items). */
  retry?: RetryState | undefined;
}

/** What a lane remembers of an item that failed transiently. */
export interface RetryState {
  /** Failures counted against the item (see `DeliveryLane`): at `maxAttempts` it is dropped. */
  attempts: number;
  /** Not sent again before this (`Date.now()`): its own backoff, which holds only its thread. */
  notBefore: number;
  /** The lane's count of batches that delivered something, at this item's last failure. */
  successes: number;
  /** It failed on its own while the destination delivered others: it is sent alone from now on. */
  alone: boolean;
}

/**
 * Items handed to a destination together. A batch in flight holds no wrapper per turn item (it may hold
 * thousands, for as long as the destination hangs): a turn item knows its size.
 */
export interface Batch {
  readonly items: DeliveryItem[];
  /** Per item, its queued form when it is not a bare turn item (see `LaneQueue`); undefined while none is. */
  queued: (QueuedItem | undefined)[] | undefined;
  bytes: number;
}

/** Item `i` of a batch as a queued item (for the batch's failures, which are few). */
export function queuedAt(batch: Batch, i: number): QueuedItem {
  return batch.queued?.[i] ?? bareQueued(batch.items[i] as TurnDelta);
}

/** What item `i` of a batch counts for. */
export function sizeAt(batch: Batch, i: number): number {
  return batch.queued?.[i]?.bytes ?? (batch.items[i] as TurnDelta).bytes;
}

/** A waiting item: a turn item as it is (it knows its size), anything else with its size and retry state. */
type Entry = TurnDelta | QueuedItem;

/**
 * A lane's waiting items, oldest first, and their total size. A turn item that never failed waits as it
 * is: record() then allocates nothing per destination, and a queued turn costs each lane one slot.
 */
export class LaneQueue {
  readonly #entries = new Deque<Entry>();
  /** Sum of the waiting items' sizes. */
  bytes = 0;

  get length(): number {
    return this.#entries.length;
  }

  pushBack(item: DeliveryItem, bytes: number): void {
    this.#entries.pushBack(
      item instanceof TurnDelta && item.bytes === bytes ? item : { item, bytes, retry: undefined },
    );
    this.bytes += bytes;
  }

  popFront(): QueuedItem {
    const entry = this.#entries.popFront()!;
    const queued = entry instanceof TurnDelta ? bareQueued(entry) : entry;
    this.bytes -= queued.bytes;
    return queued;
  }

  /** Moves the front item into `batch`. */
  popInto(batch: Batch): void {
    const entry = this.#entries.popFront()!;
    let bytes: number;
    if (entry instanceof TurnDelta) {
      batch.items.push(entry);
      batch.queued?.push(undefined);
      bytes = entry.bytes;
    } else {
      batch.items.push(entry.item);
      batch.queued ??= new Array<QueuedItem | undefined>(batch.items.length - 1).fill(undefined);
      batch.queued.push(entry);
      bytes = entry.bytes;
    }
    batch.bytes += bytes;
    this.bytes -= bytes;
  }

  /** Puts a popped item back in front (a retry, or one passed over). */
  pushFront(queued: QueuedItem): void {
    const { item, bytes, retry } = queued;
    this.#entries.pushFront(
      retry === undefined && item instanceof TurnDelta && item.bytes === bytes ? item : queued,
    );
    this.bytes += bytes;
  }

  peekItem(): DeliveryItem | undefined {
    const entry = this.#entries.peekFront();
    return entry instanceof TurnDelta ? entry : entry?.item;
  }

  peekBytes(): number | undefined {
    return this.#entries.peekFront()?.bytes;
  }

  peekRetry(): RetryState | undefined {
    const entry = this.#entries.peekFront();
    return entry instanceof TurnDelta ? undefined : entry?.retry;
  }

  toArray(): DeliveryItem[] {
    return this.#entries.toArray().map((entry) => (entry instanceof TurnDelta ? entry : entry.item));
  }
}

function bareQueued(item: TurnDelta): QueuedItem {
  return { item, bytes: item.bytes, retry: undefined };
}

/** The thread an item belongs to: its turns (and feedback) keep their order behind a failed one. */
export function threadOf(item: DeliveryItem): string {
  return item.type === 'feedback' ? item.feedback.threadId : turnThreadId(item);
}

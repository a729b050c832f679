import { Deque } from '../internal/deque';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { turnThreadId } from '../thread/turn-delta';

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
 * Items handed to a destination together, in parallel arrays: a batch in flight holds no wrapper per item
 * (it may hold thousands, for as long as the destination hangs).
 */
export interface Batch {
  readonly items: DeliveryItem[];
  readonly sizes: number[];
  /** Per item, once an item of the batch had failed before; undefined while none had. */
  retries: (RetryState | undefined)[] | undefined;
  bytes: number;
}

/** Item `i` of a batch as a queued item (for the batch's failures, which are few). */
export function queuedAt(batch: Batch, i: number): QueuedItem {
  return { item: batch.items[i]!, bytes: batch.sizes[i]!, retry: batch.retries?.[i] };
}

/** A lane's waiting items, oldest first, and their total size. */
export class LaneQueue {
  // Items and their sizes in parallel deques rather than one of { item, bytes } wrappers: record() then
  // allocates nothing per destination, and queued turns are retained (and moved by every GC) until sent.
  readonly #items = new Deque<DeliveryItem>();
  readonly #sizes = new Deque<number>();
  readonly #retries = new Deque<RetryState | undefined>();
  /** Sum of the waiting items' sizes. */
  bytes = 0;

  get length(): number {
    return this.#items.length;
  }

  pushBack(item: DeliveryItem, bytes: number): void {
    this.#items.pushBack(item);
    this.#sizes.pushBack(bytes);
    this.#retries.pushBack(undefined);
    this.bytes += bytes;
  }

  popFront(): QueuedItem {
    const item = this.#items.popFront()!;
    const bytes = this.#sizes.popFront()!;
    const retry = this.#retries.popFront();
    this.bytes -= bytes;
    return { item, bytes, retry };
  }

  /** Moves the front item into `batch`, without a wrapper of its own. */
  popInto(batch: Batch): void {
    const bytes = this.#sizes.popFront()!;
    const retry = this.#retries.popFront();
    batch.items.push(this.#items.popFront()!);
    batch.sizes.push(bytes);
    if (retry !== undefined && batch.retries === undefined) {
      batch.retries = new Array<RetryState | undefined>(batch.items.length - 1).fill(undefined);
    }
    batch.retries?.push(retry);
    batch.bytes += bytes;
    this.bytes -= bytes;
  }

  /** Puts a popped item back in front (a retry, or one passed over). */
  pushFront(queued: QueuedItem): void {
    this.#items.pushFront(queued.item);
    this.#sizes.pushFront(queued.bytes);
    this.#retries.pushFront(queued.retry);
    this.bytes += queued.bytes;
  }

  peekItem(): DeliveryItem | undefined {
    return this.#items.peekFront();
  }

  peekBytes(): number | undefined {
    return this.#sizes.peekFront();
  }

  peekRetry(): RetryState | undefined {
    return this.#retries.peekFront();
  }

  toArray(): DeliveryItem[] {
    return this.#items.toArray();
  }
}

/** The thread an item belongs to: its turns (and feedback) keep their order behind a failed one. */
export function threadOf(item: DeliveryItem): string {
  return item.type === 'feedback' ? item.feedback.threadId : turnThreadId(item);
}

import { Deque } from '../internal/deque';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import { TurnDelta, turnThreadId } from '../thread/turn-delta';

export type QueuedItem = { item: DeliveryItem; bytes: number; retry?: RetryState | undefined };

/** What a lane remembers of an item that failed transiently (see `DeliveryLane`). */
export interface RetryState {
  attempts: number;
  /** Its own backoff (`Date.now()`), which holds only its thread. */
  notBefore: number;
  /** The lane's count of batches that delivered something, at this item's last failure. */
  successes: number;
  alone: boolean;
}

/** Items handed to a destination together; a turn item knows its size, so holds no wrapper in flight. */
export interface Batch {
  readonly items: DeliveryItem[];
  /** Per item, its queued form when it is not a bare turn item; undefined while none is. */
  queued: (QueuedItem | undefined)[] | undefined;
  bytes: number;
}

/** Item `i` of a batch as a queued item (for its failures, which are few). */
export function queuedAt(batch: Batch, i: number): QueuedItem {
  return batch.queued?.[i] ?? bareQueued(batch.items[i] as TurnDelta);
}

export function sizeAt(batch: Batch, i: number): number {
  return batch.queued?.[i]?.bytes ?? (batch.items[i] as TurnDelta).bytes;
}

type Entry = TurnDelta | QueuedItem;

/** A lane's waiting items, oldest first; a turn item that never failed waits bare (no allocation per lane). */
export class LaneQueue {
  readonly #entries = new Deque<Entry>();
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

  pushFront(queued: QueuedItem): void {
    const { item, bytes, retry } = queued;
    this.#entries.pushFront(
      retry === undefined && item instanceof TurnDelta && item.bytes === bytes ? item : queued,
    );
    this.bytes += bytes;
  }

  /**
   * Up to `max` items and `maxBytes` (one at least) from the front, passing over items in their own backoff
   * and their threads' later items; else (nothing ready) the earliest end of a backoff.
   */
  takeBatch(max: number, maxBytes: number, now: number): Batch | number {
    const batch: Batch = { items: [], queued: undefined, bytes: 0 };
    const held: QueuedItem[] = [];
    const heldThreads = new Set<string>();
    let heldUntil = Number.POSITIVE_INFINITY;
    while (batch.items.length < max && this.#entries.length > 0) {
      const entry = this.#entries.peekFront()!;
      const retry = entry instanceof TurnDelta ? undefined : entry.retry;
      if (retry !== undefined || held.length > 0) {
        const thread = threadOf(itemOf(entry));
        const waiting = retry !== undefined && retry.notBefore > now;
        if (waiting || heldThreads.has(thread)) {
          if (waiting) heldUntil = Math.min(heldUntil, retry.notBefore);
          held.push(this.popFront());
          heldThreads.add(thread);
          continue;
        }
        // A suspect goes alone, so it cannot fail a batch of others.
        if (retry?.alone === true && batch.items.length > 0) break;
      }
      if (batch.items.length > 0 && batch.bytes + entry.bytes > maxBytes) break;
      this.#entries.popFront();
      this.bytes -= entry.bytes;
      batch.bytes += entry.bytes;
      batch.items.push(itemOf(entry));
      if (entry instanceof TurnDelta) batch.queued?.push(undefined);
      else {
        batch.queued ??= new Array<QueuedItem | undefined>(batch.items.length - 1).fill(undefined);
        batch.queued.push(entry);
      }
      if (retry?.alone === true) break;
    }
    for (let i = held.length - 1; i >= 0; i--) this.pushFront(held[i]!);
    return held.length > 0 && batch.items.length === 0 ? heldUntil : batch;
  }

  toArray(): DeliveryItem[] {
    return this.#entries.toArray().map(itemOf);
  }
}

export function itemOf(entry: Entry): DeliveryItem {
  return entry instanceof TurnDelta ? entry : entry.item;
}

function bareQueued(item: TurnDelta): QueuedItem {
  return { item, bytes: item.bytes, retry: undefined };
}

/** The thread an item belongs to: its items keep their order behind a failed one. */
export function threadOf(item: DeliveryItem): string {
  return item.type === 'feedback' ? item.feedback.threadId : turnThreadId(item);
}

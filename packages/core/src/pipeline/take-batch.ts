import type { LaneQueue, QueuedItem } from './lane-queue';
import { threadOf } from './lane-queue';

/** A batch taken from the front of a lane's queue. */
export interface TakenBatch {
  batch: QueuedItem[];
  bytes: number;
  /** Nothing was ready (every item waits out its own backoff): the earliest it ends. */
  heldUntil?: number;
}

/**
 * Takes up to `max` items and `maxBytes` (one item at least) from the front. Items waiting out their own
 * backoff, and the later items of their thread, are passed over and put back in order; an item that
 * failed alone before goes alone.
 */
export function takeBatch(queue: LaneQueue, max: number, maxBytes: number, now: number): TakenBatch {
  const batch: QueuedItem[] = [];
  let bytes = 0;
  // Items passed over (waiting out their own backoff, or behind one of their thread), put back after.
  let held: QueuedItem[] | undefined;
  let heldThreads: Set<string> | undefined;
  let heldUntil = Number.POSITIVE_INFINITY;
  while (batch.length < max && queue.length > 0) {
    const retry = queue.peekRetry();
    if (retry !== undefined || heldThreads !== undefined) {
      // Only once something failed: the common path never reads a thread id.
      const thread = threadOf(queue.peekItem()!);
      const waiting = retry !== undefined && retry.notBefore > now;
      if (waiting || heldThreads?.has(thread) === true) {
        if (waiting) heldUntil = Math.min(heldUntil, retry.notBefore);
        held ??= [];
        held.push(queue.popFront());
        heldThreads ??= new Set();
        heldThreads.add(thread);
        continue;
      }
      // A suspect goes alone, so it cannot fail a batch of others (the batch ends before it otherwise).
      if (retry?.alone === true && batch.length > 0) break;
    }
    if (batch.length > 0 && bytes + queue.peekBytes()! > maxBytes) break;
    const queued = queue.popFront();
    batch.push(queued);
    bytes += queued.bytes;
    if (queued.retry?.alone === true) break;
  }
  if (held !== undefined) {
    for (let i = held.length - 1; i >= 0; i--) queue.pushFront(held[i]!);
    if (batch.length === 0) return { batch, bytes, heldUntil };
  }
  return { batch, bytes };
}

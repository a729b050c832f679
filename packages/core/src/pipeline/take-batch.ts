import type { Batch, LaneQueue, QueuedItem } from './lane-queue';
import { threadOf } from './lane-queue';

/**
 * Takes up to `max` items and `maxBytes` (one item at least) from the front. Items waiting out their own
 * backoff, and the later items of their thread, are passed over and put back in order; an item that
 * failed alone before goes alone. Returns the earliest end of a backoff instead when nothing was ready.
 */
export function takeBatch(queue: LaneQueue, max: number, maxBytes: number, now: number): Batch | number {
  const batch: Batch = { items: [], queued: undefined, bytes: 0 };
  // Items passed over (waiting out their own backoff, or behind one of their thread), put back after.
  let held: QueuedItem[] | undefined;
  let heldThreads: Set<string> | undefined;
  let heldUntil = Number.POSITIVE_INFINITY;
  while (batch.items.length < max && queue.length > 0) {
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
      if (retry?.alone === true && batch.items.length > 0) break;
    }
    if (batch.items.length > 0 && batch.bytes + queue.peekBytes()! > maxBytes) break;
    queue.popInto(batch);
    if (retry?.alone === true) break;
  }
  if (held !== undefined) {
    for (let i = held.length - 1; i >= 0; i--) queue.pushFront(held[i]!);
    if (batch.items.length === 0) return heldUntil;
  }
  return batch;
}

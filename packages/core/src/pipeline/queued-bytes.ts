import type { DeliveryItem } from '../spec/chat-trail-destination';
import { TurnDelta } from '../thread/turn-delta';

/**
 * A trail's queued items in estimated bytes, each counted once however many destinations hold it (the
 * destinations share one object per turn): what `stats().queuedBytes` reports. Each destination's own
 * figure, and its `maxQueueBytes` bound, count the items it holds.
 */
export class QueuedBytes {
  bytes = 0;

  /** A lane took the item in. */
  hold(item: DeliveryItem, bytes: number): void {
    if (!(item instanceof TurnDelta) || item.hold()) this.bytes += bytes;
  }

  /** A lane let the item go (sent or dropped). */
  release(item: DeliveryItem, bytes: number): void {
    if (!(item instanceof TurnDelta) || item.release()) this.bytes -= bytes;
  }
}

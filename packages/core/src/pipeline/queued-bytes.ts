import type { DeliveryItem } from '../spec/chat-trail-destination';
import { TurnDelta } from '../thread/turn-delta';

/**
 * A trail's queued items in estimated bytes, each counted once however many destinations hold it (they
 * share one object per turn): `stats().queuedBytes`.
 */
export class QueuedBytes {
  bytes = 0;

  hold(item: DeliveryItem, bytes: number): void {
    if (!(item instanceof TurnDelta) || item.hold()) this.bytes += bytes;
  }

  /** A lane let the item go (sent or dropped). */
  release(item: DeliveryItem, bytes: number): void {
    if (!(item instanceof TurnDelta) || item.release()) this.bytes -= bytes;
  }
}

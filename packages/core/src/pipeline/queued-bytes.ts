import type { DeliveryItem } from '../spec/chat-trail-destination';
import { TurnDelta } from '../thread/turn-delta';

/** `stats().queuedBytes`: each item counted once however many lanes hold it (they share one object). */
export class QueuedBytes {
  bytes = 0;

  hold(item: DeliveryItem, bytes: number): void {
    if (!(item instanceof TurnDelta) || item.hold()) this.bytes += bytes;
  }

  release(item: DeliveryItem, bytes: number): void {
    if (!(item instanceof TurnDelta) || item.release()) this.bytes -= bytes;
  }
}

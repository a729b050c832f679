import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { TurnDelta } from '../thread/turn-delta';

/**
 * The thread arrays a lane's turns read before their own messages (Melodi sends whole threads), once each in
 * its byte bound: the log's budget stops counting an array it lets go, the turns still hold it.
 */
export class PinnedThreads {
  readonly #pins = new Map<object, { readers: number; bytes: number }>();
  bytes = 0;

  hold(item: DeliveryItem, bytes = (item as TurnDelta).threadBytes ?? 0): void {
    const thread = pinnedThread(item);
    if (thread === undefined) return;
    const pin = this.#pins.get(thread) ?? { readers: 0, bytes: 0 };
    if (pin.readers++ === 0) this.#pins.set(thread, pin);
    // The log extends a thread in place: a later turn reads more of the same array.
    if (bytes <= pin.bytes) return;
    this.bytes += bytes - pin.bytes;
    pin.bytes = bytes;
  }

  release(item: DeliveryItem): void {
    const thread = pinnedThread(item);
    const pin = thread === undefined ? undefined : this.#pins.get(thread);
    if (pin === undefined || --pin.readers > 0) return;
    this.#pins.delete(thread!);
    this.bytes -= pin.bytes;
  }
}

function pinnedThread(item: DeliveryItem): object | undefined {
  return item.type === 'turn' && item.start ? item.thread : undefined;
}

import type { DeliveryItem } from '../spec/chat-trail-destination';

/**
 * The thread arrays a lane's turns read before their own messages (Melodi sends whole threads), each
 * counted once in the lane's byte bound however many of its turns read it: the log's budget stops
 * counting an array it lets go, but the turns still hold it. A turn that starts its thread pins none.
 */
export class PinnedThreads {
  readonly #pins = new Map<object, { readers: number; bytes: number }>();
  bytes = 0;

  hold(item: DeliveryItem, bytes: number): void {
    const thread = pinnedThread(item);
    if (thread === undefined) return;
    const pin = this.#pins.get(thread);
    if (pin === undefined) this.#pins.set(thread, { readers: 1, bytes });
    else pin.readers++;
    // The log extends a thread in place: a later turn reads more of the same array.
    const added = bytes - (pin?.bytes ?? 0);
    if (pin !== undefined && added > 0) pin.bytes = bytes;
    if (added > 0) this.bytes += added;
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

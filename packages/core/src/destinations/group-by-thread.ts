import type { DeliveryItem, EarlierMessages } from '../spec/chat-trail-destination';
import type { Turn } from '../spec/turn';

/** The turns of one thread inside a batch, in queue order, with their positions in the batch. */
export interface ThreadGroup {
  threadId: string;
  turns: Turn[];
  /** Index in the batch of each turn, parallel to `turns`. */
  indexes: number[];
  /** Each turn's `positions` (see DeliveryItem), parallel to `turns`. */
  positions: (readonly number[] | undefined)[];
  /** Each turn's `earlier` (see DeliveryItem), parallel to `turns`. */
  earlier: (EarlierMessages | undefined)[];
}

/**
 * Groups the turn items of a batch by thread, threads in order of first appearance. Both destinations
 * send one request (or one ordered run of requests) per thread per batch: several turns of a thread that
 * each resend the whole history collapse into one write.
 */
export function groupByThread(items: readonly DeliveryItem[]): ThreadGroup[] {
  const groups = new Map<string, ThreadGroup>();
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    if (item.type !== 'turn') continue;
    const { threadId } = item.turn;
    let group = groups.get(threadId);
    if (group === undefined) {
      group = { threadId, turns: [], indexes: [], positions: [], earlier: [] };
      groups.set(threadId, group);
    }
    group.turns.push(item.turn);
    group.indexes.push(index);
    group.positions.push(item.positions);
    group.earlier.push(item.earlier);
  }
  return [...groups.values()];
}

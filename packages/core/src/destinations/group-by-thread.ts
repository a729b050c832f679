import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../spec/turn';
import { wholeTurn } from '../thread/whole-turn';

/** The turns of one thread inside a batch, in queue order, with their positions in the batch. */
export interface ThreadGroup {
  threadId: string;
  /** The turns, each with the messages new to the thread (see `DeliveryItem`). */
  turns: Turn[];
  /** Index in the batch of each turn, parallel to `turns`. */
  indexes: number[];
  /** Each turn's `thread` and `start` (see `DeliveryItem`), parallel to `turns`. */
  threads: (readonly TurnMessage[] | undefined)[];
  starts: number[];
}

/**
 * Groups the turn items of a batch by thread, threads in order of first appearance. Both destinations
 * send one request (or one ordered run of requests) per thread per batch: several turns of a thread
 * collapse into one write.
 */
export function groupByThread(items: readonly DeliveryItem[]): ThreadGroup[] {
  const groups = new Map<string, ThreadGroup>();
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    if (item.type !== 'turn') continue;
    const { threadId } = item.turn;
    let group = groups.get(threadId);
    if (group === undefined) {
      group = { threadId, turns: [], indexes: [], threads: [], starts: [] };
      groups.set(threadId, group);
    }
    group.turns.push(item.turn);
    group.indexes.push(index);
    group.threads.push(item.thread);
    group.starts.push(item.thread === undefined ? 0 : (item.start ?? 0));
  }
  return [...groups.values()];
}

/**
 * The group's turns with the thread before each turn's messages put back in front of them (what a
 * destination that writes whole threads sends): built for the request at hand, never kept. Consecutive
 * turns share the thread's message objects, which lets `mergeThreadMessages` skip their common part.
 */
export function wholeTurns(group: ThreadGroup): Turn[] {
  return group.turns.map((turn, i) => wholeTurn(turn, group.threads[i], group.starts[i]));
}

import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../spec/turn';
import { turnThreadId } from '../thread/turn-delta';
import { wholeTurn } from '../thread/whole-turn';

type TurnItem = Extract<DeliveryItem, { type: 'turn' }>;

/**
 * The turns of one thread inside a batch, in queue order, with their positions in the batch. It holds no
 * list of its own: a batch may hold thousands of turns for as long as the destination hangs, so its turns
 * are read from the batch when asked for (each read builds new arrays).
 */
export class ThreadGroup {
  readonly threadId: string;
  readonly #items: readonly DeliveryItem[];
  /** Per batch index, the index of the thread's next turn in the batch (0: none), shared by the groups. */
  readonly #next: Int32Array;
  readonly #first: number;
  #last: number;

  constructor(threadId: string, items: readonly DeliveryItem[], next: Int32Array, first: number) {
    this.threadId = threadId;
    this.#items = items;
    this.#next = next;
    this.#first = first;
    this.#last = first;
  }

  /** Appends the turn at `index` (a later one of the batch). */
  add(index: number): void {
    this.#next[this.#last] = index;
    this.#last = index;
  }

  /** Index in the batch of each turn. */
  get indexes(): number[] {
    const indexes: number[] = [];
    for (let i = this.#first; ; i = this.#next[i]!) {
      indexes.push(i);
      if (i === this.#last) return indexes;
    }
  }

  #turnItems(): TurnItem[] {
    return this.indexes.map((i) => this.#items[i] as TurnItem);
  }

  /** The turns, each with the messages new to the thread (see `DeliveryItem`). */
  get turns(): Turn[] {
    return this.#turnItems().map((item) => item.turn);
  }

  /** Each turn's `thread` and `start` (see `DeliveryItem`), parallel to `turns`. */
  get threads(): (readonly TurnMessage[] | undefined)[] {
    return this.#turnItems().map((item) => item.thread);
  }

  get starts(): number[] {
    return this.#turnItems().map((item) => (item.thread === undefined ? 0 : (item.start ?? 0)));
  }
}

/**
 * Groups the turn items of a batch by thread, threads in order of first appearance. Both destinations
 * send one request (or one ordered run of requests) per thread per batch: several turns of a thread
 * collapse into one write.
 */
export function groupByThread(items: readonly DeliveryItem[]): ThreadGroup[] {
  const groups = new Map<string, ThreadGroup>();
  const next = new Int32Array(items.length);
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    if (item.type !== 'turn') continue;
    const threadId = turnThreadId(item);
    const group = groups.get(threadId);
    if (group === undefined) groups.set(threadId, new ThreadGroup(threadId, items, next, index));
    else group.add(index);
  }
  return [...groups.values()];
}

/**
 * The group's turns with the thread before each turn's messages put back in front of them (what a
 * destination that writes whole threads sends): built for the request at hand, never kept. Consecutive
 * turns share the thread's message objects, which lets `mergeThreadMessages` skip their common part.
 */
export function wholeTurns(group: ThreadGroup): Turn[] {
  const { threads, starts } = group;
  return group.turns.map((turn, i) => wholeTurn(turn, threads[i], starts[i]));
}

import type { DeliveryItem, DeliveryOutcome } from '../spec/chat-trail-destination';
import type { Turn } from '../spec/turn';
import { turnThreadId } from '../thread/turn-delta';
import { wholeTurn } from '../thread/whole-turn';

type TurnItem = Extract<DeliveryItem, { type: 'turn' }>;

/** The turns of one thread in a batch, in order; holds no list (a batch may hold thousands of turns). */
export class ThreadGroup {
  #last: number;

  constructor(
    readonly threadId: string,
    private readonly items: readonly DeliveryItem[],
    /** Per batch index, the thread's next turn's index; shared by the groups. */
    private readonly next: Int32Array,
    private readonly first: number,
  ) {
    this.#last = first;
  }

  add(index: number): void {
    this.next[this.#last] = index;
    this.#last = index;
  }

  get indexes(): number[] {
    const indexes: number[] = [];
    for (let i = this.first; ; i = this.next[i]!) {
      indexes.push(i);
      if (i === this.#last) return indexes;
    }
  }

  turnItems(): TurnItem[] {
    return this.indexes.map((i) => this.items[i] as TurnItem);
  }

  get turns(): Turn[] {
    return this.turnItems().map((item) => item.turn);
  }

  get starts(): number[] {
    return this.turnItems().map((item) => (item.thread === undefined ? 0 : (item.start ?? 0)));
  }

  /** Sets its turns' outcome; messages are credited to the first turn only, so each counts once. */
  settle(outcomes: DeliveryOutcome[], outcome: DeliveryOutcome): void {
    this.indexes.forEach((index, i) => {
      outcomes[index] = i === 0 || !('messages' in outcome) ? outcome : { ...outcome, messages: 0 };
    });
  }
}

/** The turn items of a batch by thread, in order of first appearance: one write per thread per batch. */
export function groupByThread(items: readonly DeliveryItem[]): ThreadGroup[] {
  const groups = new Map<string, ThreadGroup>();
  const next = new Int32Array(items.length);
  items.forEach((item, index) => {
    if (item.type !== 'turn') return;
    const threadId = turnThreadId(item);
    const group = groups.get(threadId);
    if (group === undefined) groups.set(threadId, new ThreadGroup(threadId, items, next, index));
    else group.add(index);
  });
  return [...groups.values()];
}

/** The group's turns with the thread before them put back (see `wholeTurn`); never kept. */
export function wholeTurns(group: ThreadGroup): Turn[] {
  return group.turnItems().map((item) => wholeTurn(item.turn, item.thread, item.start));
}

import type { TurnMessage } from '../spec/turn';
import type { WireItem } from './worker-protocol';

/**
 * What the delivery worker holds of each thread array of the trail's log (its copy, by id), so that a turn
 * crosses with only what the copy lacks; ids of arrays collected here are told to the worker to forget.
 */
export class ThreadMirrors {
  #mirrors = new WeakMap<readonly TurnMessage[], { id: number; have: number }>();
  #next = 1;
  #forgotten: number[] = [];
  readonly #registry = new FinalizationRegistry<number>((id) => this.#forgotten.push(id));

  /** A new worker, or one that missed a message: threads cross from their start again. */
  reset(): void {
    this.#mirrors = new WeakMap();
  }

  /** Ids of thread arrays gone since the last call. */
  takeForgotten(): number[] {
    const forgotten = this.#forgotten;
    this.#forgotten = [];
    return forgotten;
  }

  /** What crosses for one item (`WireItem`). `resent`: a dead worker may have sent it in part (`isFirstTurn`). */
  encode(seq: number, { lanes, bytes, item }: Omit<WireItem, 'seq'>, resent = false): WireItem {
    if (item.type !== 'turn') return { seq, lanes, bytes, item };
    // A TurnDelta's private fields do not clone; `turn` builds a Turn on each read, so it is read once.
    const { thread, start = 0 } = item;
    let turn = item.turn;
    if (resent) {
      turn = { ...turn };
      delete turn.turnMessages;
    }
    if (thread === undefined) return { seq, lanes, bytes, item: { type: 'turn', turn } };
    let mirror = this.#mirrors.get(thread);
    if (mirror === undefined) {
      mirror = { id: this.#next++, have: 0 };
      this.#mirrors.set(thread, mirror);
      this.#registry.register(thread, mirror.id);
    }
    const { id, have } = mirror;
    const messages = turn.messages;
    let own = 0;
    while (own < messages.length && thread[start + own] === messages[own]) own++;
    mirror.have = start > have ? start + own : Math.max(have, start + own);
    const wire = { seq, lanes, bytes, item: { type: 'turn', turn, start } as const, mirror: id, have, own };
    return start > have ? { ...wire, head: thread.slice(have, start) } : wire;
  }
}

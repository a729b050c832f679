import { LruMap } from '../internal/lru-map';
import type { TurnMessage } from '../spec/turn';
import type { RecordedHistory } from './recorded-history';
import type { TurnHead } from './turn-delta';

/** One thread of the log: its messages so far and its last recorded history. */
export interface ThreadRecord {
  /** Index = thread position; only extended in place, so what a queued turn reads before `start` holds. */
  messages: TurnMessage[];
  history: RecordedHistory;
  /** Estimated bytes of `messages`. */
  bytes: number;
  head?: TurnHead | undefined;
}

/** Where a turn's new messages are: see {@link ThreadLog.update}. */
export interface LoggedTurn {
  /** A turn item's `thread`. */
  readonly log: readonly TurnMessage[];
  /** The turn's first message the thread did not hold at its position. */
  readonly index: number;
  /** A turn item's `start`. */
  readonly start: number;
  readonly record: ThreadRecord;
  /** Estimated bytes of the turn's own messages, from `index`. */
  readonly added: number;
}

/** Recent threads (LRU by threads and bytes), which a turn's new messages are worked out against. */
export class ThreadLog {
  readonly #maxThreadBytes: number;
  readonly #records: LruMap<string, ThreadRecord>;

  // The byte bound limits memory; the thread bound covers those active at once on a busy server.
  constructor(
    maxThreads = 10_000,
    maxBytes = 16 * 1024 * 1024,
    maxThreadBytes = Math.min(maxBytes / 4, 2 * 1024 * 1024),
  ) {
    this.#maxThreadBytes = Math.max(0, maxThreadBytes);
    this.#records = new LruMap(maxThreads, undefined, {
      of: (record) => record.bytes,
      max: Math.max(0, maxBytes),
    });
  }

  /** Not a use: the `update` that follows is. */
  get(threadId: string): ThreadRecord | undefined {
    return this.#records.peek(threadId);
  }

  /** Writes `sent` at its thread positions; undefined (let go) when it outgrew its bound or has a gap. */
  update(
    threadId: string,
    record: ThreadRecord | undefined,
    history: RecordedHistory,
    measure: (messages: readonly TurnMessage[], from: number) => number, // estimated bytes of `messages[from..]`
    sent: readonly TurnMessage[] = history.messages,
  ): LoggedTurn | undefined {
    const { positions } = history;
    const n = sent.length;
    const old = record?.messages;
    const at = (j: number): number => (positions === undefined ? j : positions[j]!);
    let index = 0;
    // Whether the thread holds the very copies up to `index`, not merely the same ids.
    let same = true;
    while (index < n && old !== undefined) {
      const held = old[at(index)];
      if (held !== sent[index]) {
        if (held === undefined || held.id !== sent[index]!.id) break;
        same = false;
      }
      index++;
    }
    const start = index < n ? at(index) : n === 0 ? 0 : at(n - 1) + 1;
    const length = old?.length ?? 0;
    // A new thread without positions is the history's array (the trail's own), else a copy of `sent`.
    const fresh = old === undefined && positions === undefined;
    const own = sent === history.messages;
    const thread = fresh
      ? own
        ? (sent as TurnMessage[])
        : sent.slice()
      : old !== undefined && start >= length
        ? old
        : (old?.slice(0, start) ?? []);
    // An edit rewrites it in a new array: what that keeps is measured (a share of the old estimate is not).
    const before = old === undefined || start >= length ? (record?.bytes ?? 0) : measure(thread, 0);
    let fits = true;
    for (let j = fresh ? n : index; j < n && fits; j++) {
      const position = at(j);
      if (position > thread.length) fits = false;
      else thread[position] = sent[j]!;
    }
    // A turn that adds nothing still carries its last message: its usage and timings go with it.
    const carried = index === n && n > 0 ? n - 1 : index;
    const added = measure(sent, carried); // either way: the turn's own bytes
    const bytes = before + (carried < index ? 0 : added);
    if (!fits || bytes > this.#maxThreadBytes) {
      if (record !== undefined) this.#records.delete(threadId);
      return undefined;
    }
    // Same messages in the same places: one array for both (the next turn reads it before extending).
    if (own && same && positions === undefined && thread.length === n) {
      (history as { messages: readonly TurnMessage[] }).messages = thread;
    }
    record ??= { messages: thread, history, bytes };
    record.messages = thread;
    record.history = history;
    record.bytes = bytes;
    this.#records.set(threadId, record);
    return { log: thread, index: carried, start: carried < index ? at(carried) : start, record, added };
  }

  /** Keeps a turn's history without logging its messages (`redact` skipped or reshaped them). */
  keepHistory(threadId: string, record: ThreadRecord | undefined, history: RecordedHistory): void {
    if (record !== undefined) record.history = history;
    this.#records.set(threadId, record ?? { messages: [], history, bytes: 0 });
  }

  get size(): number {
    return this.#records.size;
  }

  get bytes(): number {
    return this.#records.weight;
  }
}

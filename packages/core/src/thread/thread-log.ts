import { LruMap } from '../internal/lru-map';
import type { TurnMessage } from '../spec/turn';
import type { RecordedHistory } from './recorded-history';
import type { TurnHead } from './turn-delta';

/**
 * One thread of the log: its messages in thread order as recorded so far, and its last recorded history
 * (what the next turn's messages are compared with and lined up against, see `normalizeTurn`).
 */
export interface ThreadRecord {
  /**
   * The thread's messages, index = thread position. Only ever extended in place: a turn that rewrites a
   * position (an edited or regenerated message) starts a new array, so what a queued turn reads before its
   * `start` never changes.
   */
  messages: TurnMessage[];
  history: RecordedHistory;
  /** Estimated bytes of `messages` (for the log's bounds). */
  bytes: number;
  /** What the thread's queued turns share while it stays the same (see `turnHead`). */
  head?: TurnHead | undefined;
}

/** Where a turn's new messages are: see {@link ThreadLog.update}. */
export interface LoggedTurn {
  /** The thread's messages (a turn item's `thread`). */
  readonly log: readonly TurnMessage[];
  /** The turn's first message the thread did not hold at its position: the turn's new messages start here. */
  readonly index: number;
  /** The thread position they follow (a turn item's `start`). */
  readonly start: number;
  /** The thread's record in the log. */
  readonly record: ThreadRecord;
}

/**
 * The trail's log of threads: for each recently recorded thread, its messages and its last history; what
 * `record()` works a turn's new messages out against, and what a destination that writes whole threads
 * reads the thread from (a turn item's `thread`). Bounded by threads, by estimated bytes in all, and per
 * thread (a thread over `maxThreadBytes` is let go rather than kept); the least recently recorded thread
 * goes first. A thread that falls out is seeded again by its next turn, which then carries all its messages
 * as new ones (see `DeliveryItem`).
 */
export class ThreadLog {
  readonly #maxBytes: number;
  readonly #maxThreadBytes: number;
  readonly #records: LruMap<string, ThreadRecord>;
  #bytes = 0;

  constructor(maxThreads: number, maxBytes: number, maxThreadBytes = maxBytes / 4) {
    this.#maxBytes = Math.max(0, maxBytes);
    this.#maxThreadBytes = Math.max(0, maxThreadBytes);
    this.#records = new LruMap(maxThreads, (_threadId, record) => {
      this.#bytes -= record.bytes;
    });
  }

  /** The thread's record, if the log still has it (not a use: the `update` that follows is). */
  get(threadId: string): ThreadRecord | undefined {
    return this.#records.peek(threadId);
  }

  /**
   * Writes a recorded turn into its thread: `sent` (the copies that go to the destinations: the turn's
   * normalised messages, or what `redact` made of them, one per message of `history`) at their thread
   * positions (`history.positions`, else their indexes). `newBytes(index)`: what the turn's messages from
   * `index` on add. Returns where the turn's new messages are, or `undefined` when the turn cannot be
   * logged (the thread outgrew its bound, or the positions leave a gap): it is then queued whole, and the
   * log has let the thread go.
   */
  update(
    threadId: string,
    record: ThreadRecord | undefined,
    history: RecordedHistory,
    newBytes: (index: number) => number,
    sent: readonly TurnMessage[] = history.messages,
  ): LoggedTurn | undefined {
    const { positions } = history;
    const n = sent.length;
    const old = record?.messages;
    const at = (j: number): number => (positions === undefined ? j : positions[j]!);
    let index = 0;
    // Whether the thread holds the turn's very copies up to `index` (not merely messages of the same ids).
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
    // Extended in place while the turn only adds to the thread; a rewrite starts a new array, and a new
    // thread without positions of its own is the history's array (the trail's own), else a copy of `sent`.
    const fresh = old === undefined && positions === undefined;
    const own = sent === history.messages;
    const thread = fresh
      ? own
        ? (sent as TurnMessage[])
        : sent.slice()
      : old !== undefined && start >= length
        ? old
        : (old?.slice(0, start) ?? []);
    let fits = true;
    for (let j = fresh ? n : index; j < n && fits; j++) {
      const position = at(j);
      if (position > thread.length) fits = false;
      else thread[position] = sent[j]!;
    }
    // A turn that adds nothing (the same request again) still carries its last message, the one its
    // usage and timings go with; a destination takes it for the message it already has.
    const carried = index === n && n > 0 ? n - 1 : index;
    const before = record?.bytes ?? 0;
    const added = newBytes(carried);
    const bytes = (start >= length ? before : (before * start) / length) + (carried < index ? 0 : added);
    if (record !== undefined) this.#bytes -= record.bytes;
    if (!fits || bytes > this.#maxThreadBytes) {
      if (record !== undefined) this.#records.delete(threadId);
      return undefined;
    }
    // The history holds the same messages in the same places as the thread: one array for both (the next
    // turn reads the history before it extends the thread).
    if (own && same && positions === undefined && thread.length === n) {
      (history as { messages: readonly TurnMessage[] }).messages = thread;
    }
    if (record === undefined) record = { messages: thread, history, bytes };
    else {
      record.messages = thread;
      record.history = history;
      record.bytes = bytes;
    }
    this.#bytes += bytes;
    this.#records.set(threadId, record);
    while (this.#bytes > this.#maxBytes && this.#records.evictOldest() !== undefined) {}
    return carried < index
      ? { log: thread, index: carried, start: at(carried), record }
      : { log: thread, index, start, record };
  }

  /**
   * Keeps a turn's history for the next turn without writing its messages into the thread: a turn
   * `redact` skipped or reshaped (its messages no longer line up with the history's).
   */
  keepHistory(threadId: string, record: ThreadRecord | undefined, history: RecordedHistory): void {
    if (record === undefined) {
      this.#records.set(threadId, { messages: [], history, bytes: 0 });
      return;
    }
    record.history = history;
    this.#records.set(threadId, record);
  }

  get size(): number {
    return this.#records.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}

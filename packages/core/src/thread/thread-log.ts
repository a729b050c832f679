import { LruMap } from '../internal/lru-map';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { Turn, TurnMessage } from '../spec/turn';
import type { RecordedHistory } from './recorded-history';

/**
 * One thread of the log: its messages by thread position as recorded so far, and the thread's last recorded
 * history (what the next turn's messages are compared with, and lined up against).
 */
export interface ThreadRecord {
  /**
   * The thread's messages, index = thread position. Only ever extended in place: a turn that rewrites a
   * position (an edited or regenerated message) gets a new array, so a queued delta's prefix never changes.
   */
  messages: (TurnMessage | undefined)[];
  /** The last turn's history, for reuse and alignment (see `normalizeTurn`). */
  history: RecordedHistory;
  /** Estimated bytes of `messages` (for the log's bounds). */
  bytes: number;
}

/**
 * A queued turn as the lanes hold it: the turn with only the messages that were new to the thread (`turn`),
 * and where the thread's earlier messages are (`log`: the thread's array, shared by its queued turns while
 * it only grows; `start`: the thread position the new messages follow). What a destination receives is
 * built from it when its batch goes ({@link deliveryItemOf}): a queued turn holds its own messages, not an
 * array of the whole history.
 */
export interface TurnDelta {
  readonly type: 'turn';
  readonly turn: Turn;
  readonly log: readonly (TurnMessage | undefined)[];
  readonly start: number;
}

/** What a lane queues: a delivery item as the destinations get it, or a turn delta. */
export type QueuedEntry = DeliveryItem | TurnDelta;

/**
 * The turn a destination receives for a queued entry: a delta becomes the thread as the log knows it up to
 * the turn's new messages, followed by them, so its positions are its indexes; anything else is itself.
 */
export function deliveryItemOf(entry: QueuedEntry): DeliveryItem {
  if (!('log' in entry)) return entry;
  const { turn, log, start } = entry;
  if (start === 0) return { type: 'turn', turn };
  const messages: TurnMessage[] = [];
  const end = Math.min(start, log.length);
  for (let p = 0; p < end; p++) {
    const message = log[p];
    if (message !== undefined) messages.push(message);
  }
  for (let i = 0; i < turn.messages.length; i++) messages.push(turn.messages[i]!);
  return { type: 'turn', turn: { ...turn, messages } };
}

/**
 * The trail's per-thread log: for each recently recorded thread, its messages by position and its last
 * history. Bounded by threads, by estimated bytes in all, and per thread (a thread over `maxThreadBytes`
 * is forgotten rather than kept); the least recently recorded thread goes first. A thread that falls out
 * is seeded again by its next turn: a resent history is then taken whole as that turn's new messages.
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
   * Writes a recorded turn into the thread: `messages` (the turn's normalised copies, `history.messages`)
   * at their thread positions (`history.positions`, else their indexes). Returns where the turn's new
   * messages start (its first message the thread did not hold at its position, `index`) and the thread
   * position they follow (`start`), and the thread's record, or `undefined` when the thread is too large
   * for the log (the turn is then queued whole). `newBytes(index)`: what the turn's messages from `index` on
   * add to the thread.
   */
  update(
    threadId: string,
    record: ThreadRecord | undefined,
    history: RecordedHistory,
    newBytes: (from: number) => number,
  ): { log: readonly (TurnMessage | undefined)[]; index: number; start: number } | undefined {
    const { messages, positions } = history;
    const n = messages.length;
    const old = record?.messages;
    const at = (j: number): number => (positions === undefined ? j : positions[j]!);
    let index = 0;
    while (index < n && old !== undefined) {
      const held = old[at(index)];
      if (held === undefined || (held !== messages[index] && held.id !== messages[index]!.id)) break;
      index++;
    }
    const start = index < n ? at(index) : n === 0 ? 0 : at(n - 1) + 1;
    const length = old?.length ?? 0;
    // Extended in place while the turn only adds to the thread; a rewrite starts a new array.
    const thread = old !== undefined && start >= length ? old : (old?.slice(0, start) ?? []);
    for (let j = index; j < n; j++) thread[at(j)] = messages[j];
    const before = record?.bytes ?? 0;
    const bytes = (start >= length ? before : (before * start) / length) + newBytes(index);
    if (record !== undefined) this.#bytes -= record.bytes;
    if (bytes > this.#maxThreadBytes) {
      if (record !== undefined) this.#records.delete(threadId);
      return undefined;
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
    return { log: thread, index, start };
  }

  get size(): number {
    return this.#records.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}

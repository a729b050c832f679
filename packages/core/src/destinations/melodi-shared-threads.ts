import type { JsonText } from '../http/json-text';
import { LruMap } from '../internal/lru-map';
import type { DestinationStore } from '../spec/chat-trail-store';
import { turnOutputStart } from '../thread/turn-output-start';
import { type ThreadGroup, wholeTurns } from './group-by-thread';
import { mergeThreadMessages } from './merge-thread-messages';
import { threadBody, threadHead, toMelodiMessage } from './to-melodi-thread';

const MAX_THREADS = 10_000;
const MAX_CHARS = 8 * 1024 * 1024;
/** Where a stored message's JSON holds its thread position (`toMelodiMessage` puts it there). */
const POSITION = /"metadata":\{"position":(\d+)/;

/** A thread as the shared store holds it: each message's id, JSON and thread position, in store order. */
interface SharedThread {
  ids: Set<string>;
  lastId?: string;
  json: string[];
  positions: number[];
  /** Whether `positions` only ever grew (the usual case): the store order is then the thread order. */
  sorted: boolean;
  chars: number;
  users: number;
}

/**
 * With a shared store, where a Melodi thread's messages come from: the store holds each thread's messages
 * (their JSON, with their thread position), so every `PUT /threads` carries every message stored before,
 * whichever instance sends it. Per batch one round trip adds the batch's new messages and reads back only
 * those other instances added since this one last read the thread (kept here, bounded; a thread let go is
 * read whole again).
 */
export class MelodiSharedThreads {
  readonly #threads = new LruMap<string, SharedThread>(MAX_THREADS, (_threadId, thread) => {
    this.#chars -= thread.chars;
  });
  #chars = 0;

  /** Each thread's body, or undefined when the store did not answer (the batch uses the trail's log). */
  async bodies(
    groups: readonly ThreadGroup[],
    store: DestinationStore,
    projectId: number,
  ): Promise<Map<string, JsonText> | undefined> {
    const known = groups.map((group) => this.#threads.get(group.threadId));
    // The whole thread as the trail's log holds it, not only the turns' new messages: what this instance
    // delivered while the store was down, or after it lost the thread, is not in the store yet.
    const entries = groups.map((group, i) =>
      mergeThreadMessages(
        wholeTurns(group),
        (turn) => turnOutputStart(turn.messages),
        (message) => known[i]?.ids.has(message.id) === true,
      ).map((entry) => ({
        id: entry.message.id,
        body: JSON.stringify(toMelodiMessage(entry.message, entry.position)),
      })),
    );
    const answer = await store.sync(
      groups.map((group, i) => ({
        threadId: group.threadId,
        entries: entries[i]!,
        from: known[i]?.json.length ?? 0,
        ...(known[i]?.lastId === undefined ? {} : { fromId: known[i]!.lastId }),
      })),
    );
    if (answer === undefined) return undefined;
    const bodies = new Map<string, JsonText>();
    groups.forEach((group, i) => {
      const state = answer.threads[i]!;
      const before = known[i];
      const kept = before !== undefined && this.#threads.peek(group.threadId) === before;
      if (kept) this.#chars -= before.chars;
      // Usually the store holds at least what this process read before (`start` is where it stopped):
      // the thread grows in place. A store that lost the thread (start 0) keeps what this process knew,
      // first, so a PUT never drops a message it sent before.
      const thread: SharedThread =
        before !== undefined && (state.start ?? 0) === before.json.length
          ? before
          : { ids: new Set(), json: [], positions: [], sorted: true, chars: 0, users: 0 };
      const add = (id: string, json: string): void => {
        if (thread.ids.has(id)) return;
        const position = Number(POSITION.exec(json)?.[1] ?? 0);
        if (position < (thread.positions[thread.positions.length - 1] ?? 0)) thread.sorted = false;
        thread.ids.add(id);
        thread.lastId = id;
        thread.json.push(json);
        thread.positions.push(position);
        thread.chars += json.length;
        if (isUserMessage(json)) thread.users++;
      };
      if (before !== undefined && thread !== before) {
        const keep = (state.start ?? 0) > 0 ? before.json.slice(0, state.start) : before.json;
        for (const json of keep) add(idOf(json), json);
      }
      for (const json of state.tail ?? []) add(idOf(json), json);
      entries[i]!.forEach((entry, j) => {
        if (state.added[j]) add(entry.id, entry.body);
      });
      this.#threads.set(group.threadId, thread);
      this.#chars += thread.chars;
      // In thread order whichever instance stored what first (a stable sort: an edit after its original).
      const { json, positions } = thread;
      const ordered = thread.sorted
        ? json
        : positions
            .map((_, j) => j)
            .sort((x, y) => positions[x]! - positions[y]!)
            .map((j) => json[j]!);
      bodies.set(group.threadId, threadBody(threadHead(group.turns, thread.users), projectId, ordered));
    });
    while (this.#chars > MAX_CHARS && this.#threads.evictOldest() !== undefined) {}
    return bodies;
  }
}

/** The `externalId` a message's JSON starts with (`toMelodiMessage` puts it first). */
function idOf(json: string): string {
  const end = json.indexOf('","role":"');
  return JSON.parse(json.slice('{"externalId":'.length, end + 1)) as string;
}

/** Whether a message's JSON is a user message's (`role` is its second key). */
function isUserMessage(json: string): boolean {
  return json.startsWith('","role":"user"', json.indexOf('","role":"'));
}

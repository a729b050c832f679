import { LruMap } from '../internal/lru-map';

/**
 * Where the Mielto destination remembers which Mielto conversation holds each app thread. Mielto assigns
 * conversation ids and apps have their own thread ids, so something has to keep the mapping.
 *
 * The default {@link InMemoryConversationStore} is per process; that is enough because a miss is
 * recovered by looking the conversation up by the thread id kept in its `meta_data`. For several app
 * instances, give the trail a shared `store` instead (`ChatTrailStore`, e.g. `@chattrail/redis`): it keeps
 * the conversation, which messages each backend holds and the Melodi thread, and it is asked first. Every method
 * may return a promise; a store that throws or rejects is treated as a miss (`get`) or ignored (`set`,
 * `delete`).
 */
export interface ConversationStore {
  get(threadId: string): string | undefined | Promise<string | undefined>;
  set(threadId: string, conversationId: string): void | Promise<void>;
  /**
   * Forgets a thread whose conversation Mielto no longer has (deleted: appending to it answered 404).
   * Optional: without it the next `get` still returns the stale id, costing one more 404 per process.
   */
  delete?(threadId: string): void | Promise<void>;
}

/** Options of {@link InMemoryConversationStore}. */
export interface InMemoryConversationStoreOptions {
  /** Threads remembered; the least recently used are forgotten first. Default 10,000. */
  maxEntries?: number;
}

/** The default {@link ConversationStore}: a bounded in-memory LRU. */
export class InMemoryConversationStore implements ConversationStore {
  readonly #map: LruMap<string, string>;

  constructor(options: InMemoryConversationStoreOptions = {}) {
    this.#map = new LruMap(options.maxEntries ?? 10_000);
  }

  get(threadId: string): string | undefined {
    return this.#map.get(threadId);
  }

  set(threadId: string, conversationId: string): void {
    this.#map.set(threadId, conversationId);
  }

  delete(threadId: string): void {
    this.#map.delete(threadId);
  }

  /** Threads currently remembered. */
  get size(): number {
    return this.#map.size;
  }
}

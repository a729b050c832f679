import { LruMap } from '../internal/lru-map';

/**
 * Which Mielto conversation holds each app thread. A miss is recovered by a lookup of `meta_data.thread_id`;
 * several app instances share the trail's `store` instead. A throw counts as a miss (`get`) or is ignored.
 */
export interface ConversationStore {
  get(threadId: string): string | undefined | Promise<string | undefined>;
  set(threadId: string, conversationId: string): void | Promise<void>;
  /** Forgets a thread whose conversation answered 404. Without it, a stale id costs one more 404. */
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

  get size(): number {
    return this.#map.size;
  }
}

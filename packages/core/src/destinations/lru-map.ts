/**
 * A Map that forgets its least recently used entries beyond `maxEntries`. Per-thread state (conversation
 * ids, sent-message cursors) lives in these so a long-running server that sees millions of threads keeps
 * a bounded amount of it; a forgotten thread costs a lookup, never a duplicate.
 */
export class LruMap<K, V> {
  readonly maxEntries: number;
  // A Map iterates in insertion order: deleting and re-inserting on access keeps the oldest first.
  readonly #entries = new Map<K, V>();

  constructor(maxEntries: number) {
    this.maxEntries = Math.max(1, Math.floor(maxEntries));
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }
}

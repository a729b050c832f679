import { Deque } from './deque';

interface Entry<V> {
  value: V;
  /** When the entry was last moved to the young end; matches the one live record of it in the order. */
  stamp: number;
}

/**
 * A Map that forgets its least recently used entries beyond `maxEntries`. Per-thread state (conversation
 * ids, sent-message cursors, recorded histories) lives in these so a long-running server that sees
 * millions of threads keeps a bounded amount of it; a forgotten thread costs a lookup, never a duplicate.
 *
 * Every operation is O(1) amortised, whatever the size: the order of use is kept in a queue of (key,
 * stamp) records, not the Map's own insertion order (V8 leaves deleted slots at the front of the table, so
 * evicting through `keys().next()` is O(size)). A key moved again leaves a stale record that eviction skips.
 *
 * Recency is approximate by design: an entry is moved to the young end only when it has aged past half
 * the bound, so a busy key costs one record per `maxEntries / 2` operations, not one per access.
 */
export class LruMap<K, V> {
  readonly maxEntries: number;
  readonly #entries = new Map<K, Entry<V>>();
  readonly #order = new Deque<K>();
  readonly #stamps = new Deque<number>();
  readonly #onEvict: ((key: K, value: V) => void) | undefined;
  #clock = 0;

  /** `onEvict` is told about entries forgotten to make room (not about `delete`). */
  constructor(maxEntries: number, onEvict?: (key: K, value: V) => void) {
    this.maxEntries = Math.max(1, Math.floor(maxEntries));
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, counting as a use. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#touch(key, entry);
    return entry.value;
  }

  /** The value, without counting as a use. */
  peek(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  set(key: K, value: V): this {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      entry.value = value;
      this.#touch(key, entry);
    } else {
      const fresh: Entry<V> = { value, stamp: 0 };
      this.#entries.set(key, fresh);
      this.#stamp(key, fresh);
    }
    while (this.#entries.size > this.maxEntries) this.evictOldest();
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Forgets the least recently used entry and returns it (with `onEvict` told); `undefined` when empty. */
  evictOldest(): [K, V] | undefined {
    while (this.#order.length > 0) {
      const key = this.#order.popFront()!;
      const stamp = this.#stamps.popFront()!;
      const entry = this.#entries.get(key);
      if (entry === undefined || entry.stamp !== stamp) continue; // stale: deleted, or moved since
      this.#entries.delete(key);
      this.#onEvict?.(key, entry.value);
      return [key, entry.value];
    }
    return undefined;
  }

  #touch(key: K, entry: Entry<V>): void {
    if (this.#clock - entry.stamp >= this.maxEntries / 2) this.#stamp(key, entry);
  }

  #stamp(key: K, entry: Entry<V>): void {
    entry.stamp = ++this.#clock;
    this.#order.pushBack(key);
    this.#stamps.pushBack(entry.stamp);
    // Stale records pile up from moves and deletes; rebuilt from the live entries (oldest first) when they
    // outnumber them, so the order stays O(size) and the rebuild's cost is spread over as many operations.
    if (this.#order.length > 2 * this.#entries.size + 64) this.#rebuildOrder();
  }

  #rebuildOrder(): void {
    const live = [...this.#entries].sort((a, b) => a[1].stamp - b[1].stamp);
    this.#order.clear();
    this.#stamps.clear();
    for (const [key, entry] of live) {
      this.#order.pushBack(key);
      this.#stamps.pushBack(entry.stamp);
    }
  }
}

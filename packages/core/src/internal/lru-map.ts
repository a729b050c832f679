import { Deque } from './deque';

interface Entry<V> {
  value: V;
  /** Matches the one live record of the entry in the order. */
  stamp: number;
  weight: number;
}

/**
 * A Map that forgets its least recently used entries beyond `maxEntries` (and `weigh.max`), O(1) amortised:
 * the order is a queue of (key, stamp) records, stale ones skipped; an entry moves only once aged past half
 * the bound. A value is weighed when set: set a value grown in place again.
 */
export class LruMap<K, V> {
  readonly maxEntries: number;
  readonly #entries = new Map<K, Entry<V>>();
  readonly #order = new Deque<K>();
  readonly #stamps = new Deque<number>();
  #weight = 0;
  #clock = 0;

  /** `onEvict` is told about entries forgotten to make room (not about `delete`). */
  constructor(
    maxEntries: number,
    private readonly onEvict?: (key: K, value: V) => void,
    private readonly weigh?: { of: (value: V) => number; max?: number },
  ) {
    this.maxEntries = Math.max(1, Math.floor(maxEntries));
  }

  get size(): number {
    return this.#entries.size;
  }

  get weight(): number {
    return this.#weight;
  }

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
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { value, stamp: 0, weight: 0 };
      this.#entries.set(key, entry);
      this.#stamp(key, entry);
    } else this.#touch(key, entry);
    entry.value = value;
    const weight = this.weigh?.of(value) ?? 0;
    this.#weight += weight - entry.weight;
    entry.weight = weight;
    while (
      (this.#entries.size > this.maxEntries || this.#weight > (this.weigh?.max ?? this.#weight)) &&
      this.evictOldest() !== undefined
    ) {}
    return this;
  }

  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#weight -= entry.weight;
    return this.#entries.delete(key);
  }

  /** Forgets the least recently used entry and returns it, `onEvict` told. */
  evictOldest(): [K, V] | undefined {
    while (this.#order.length > 0) {
      const key = this.#order.popFront()!;
      const stamp = this.#stamps.popFront()!;
      const entry = this.#entries.get(key);
      if (entry === undefined || entry.stamp !== stamp) continue; // stale: deleted, or moved since
      this.#entries.delete(key);
      this.#weight -= entry.weight;
      this.onEvict?.(key, entry.value);
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
    // Rebuilt when stale records outnumber live ones: O(size) memory, the cost amortised.
    if (this.#order.length <= 2 * this.#entries.size + 64) return;
    const live = [...this.#entries].sort((a, b) => a[1].stamp - b[1].stamp);
    this.#order.clear();
    this.#stamps.clear();
    for (const [key, entry] of live) {
      this.#order.pushBack(key);
      this.#stamps.pushBack(entry.stamp);
    }
  }
}

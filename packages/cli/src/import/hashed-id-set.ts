/**
 * A set of ids (threads, users) that keeps a 64-bit hash of each in an open-addressing table: 8 bytes a
 * slot, at most half of the slots used, so 16–32 bytes per id. An import remembers every thread it finds
 * or writes at Mielto (and a dry run every thread and user it counts), and a `Set` of strings held 60–100
 * bytes per thread: about 50 MB per 300,000 threads. Two ids share a hash with odds of about n²/2⁶⁵ (one
 * in 10⁸ at a million threads); what it would cost is one conversation counted as already there (skipped,
 * and said so in the summary), never one written twice.
 */
export class HashedIdSet {
  /** Pairs of 32-bit halves; (0, 0) is an empty slot. */
  #table = new Uint32Array(2 * 1024);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  has(id: string): boolean {
    const [high, low] = hash64(id);
    return this.#find(high, low) !== undefined;
  }

  add(id: string): void {
    const [high, low] = hash64(id);
    if (this.#find(high, low) !== undefined) return;
    // At most half full, so probes stay short.
    if (2 * (this.#size + 1) > this.#table.length / 2) this.#grow();
    this.#insert(this.#table, high, low);
    this.#size++;
  }

  /** The slot holding the hash, or undefined. */
  #find(high: number, low: number): number | undefined {
    const table = this.#table;
    const mask = table.length / 2 - 1;
    for (let slot = high & mask; ; slot = (slot + 1) & mask) {
      const h = table[2 * slot]!;
      const l = table[2 * slot + 1]!;
      if (h === 0 && l === 0) return undefined;
      if (h === high && l === low) return slot;
    }
  }

  #insert(table: Uint32Array, high: number, low: number): void {
    const mask = table.length / 2 - 1;
    let slot = high & mask;
    while (table[2 * slot] !== 0 || table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    table[2 * slot] = high;
    table[2 * slot + 1] = low;
  }

  #grow(): void {
    const old = this.#table;
    const table = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.#insert(table, old[i]!, old[i + 1]!);
    }
    this.#table = table;
  }
}

/** cyrb53's two 32-bit lanes, both kept: a fast, well-mixed 64-bit string hash (never (0, 0)). */
function hash64(text: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const high = h1 >>> 0;
  const low = h2 >>> 0;
  return high === 0 && low === 0 ? [0, 1] : [high, low];
}

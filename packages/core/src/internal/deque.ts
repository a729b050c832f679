/**
 * A double-ended queue on a growable ring buffer: O(1) push and pop at both ends. The delivery queue
 * needs all four (append new turns, take the oldest, put a failed batch back in front, drop the oldest
 * when full); `Array.prototype.shift` would make each of those O(queue length) on a full queue.
 */
export class Deque<T> {
  #buffer: (T | undefined)[] = new Array(16);
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  pushBack(value: T): void {
    if (this.#length === this.#buffer.length) this.#grow();
    this.#buffer[(this.#head + this.#length) & (this.#buffer.length - 1)] = value;
    this.#length++;
  }

  pushFront(value: T): void {
    if (this.#length === this.#buffer.length) this.#grow();
    this.#head = (this.#head - 1) & (this.#buffer.length - 1);
    this.#buffer[this.#head] = value;
    this.#length++;
  }

  popFront(): T | undefined {
    if (this.#length === 0) return undefined;
    const value = this.#buffer[this.#head];
    this.#buffer[this.#head] = undefined; // let it be collected
    this.#head = (this.#head + 1) & (this.#buffer.length - 1);
    // Emptied (a whole queue taken as one batch): a large buffer is not kept for the next burst.
    if (--this.#length === 0 && this.#buffer.length > 1024) this.clear();
    return value;
  }

  peekFront(): T | undefined {
    return this.#length === 0 ? undefined : this.#buffer[this.#head];
  }

  /** The values front to back, as a new array. */
  toArray(): T[] {
    const values: T[] = new Array(this.#length);
    for (let i = 0; i < this.#length; i++)
      values[i] = this.#buffer[(this.#head + i) & (this.#buffer.length - 1)] as T;
    return values;
  }

  clear(): void {
    this.#buffer = new Array(16);
    this.#head = 0;
    this.#length = 0;
  }

  /** Capacity stays a power of two so indexes wrap with a mask. */
  #grow(): void {
    const old = this.#buffer;
    const next: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) & (old.length - 1)];
    this.#buffer = next;
    this.#head = 0;
  }
}

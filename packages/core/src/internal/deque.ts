/** A ring-buffer deque: O(1) at both ends, where `Array.prototype.shift` is O(length). */
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
    this.#buffer[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#buffer.length - 1);
    // A large buffer is not kept for the next burst.
    if (--this.#length === 0 && this.#buffer.length > 1024) this.clear();
    return value;
  }

  peekFront(): T | undefined {
    return this.#length === 0 ? undefined : this.#buffer[this.#head];
  }

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

  /** A power of two, so indexes wrap with a mask. */
  #grow(): void {
    this.#buffer = [...this.toArray(), ...new Array<undefined>(this.#length)];
    this.#head = 0;
  }
}

/**
 * Runs the tasks of one key one after another, never two at once, in the order they were given; tasks of
 * different keys run freely. A task's failure does not stop the next one of its key.
 */
export class SerialByKey {
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    const result = previous === undefined ? task() : previous.then(task);
    const tail = result.then(settled, settled);
    this.#tails.set(key, tail);
    // Forgotten once the key's last task settles, so idle keys cost nothing.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.#tails.size;
  }
}

function settled(): void {}

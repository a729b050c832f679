import { LruMap } from '../internal/lru-map';
import type { BuiltThread } from './to-melodi-thread';

// The log's bounds in characters (a thread twice the log's per-thread bound), so a thread the log lets go
// for its size is still kept here.
const MAX_CHARS = 16 * 1024 * 1024;
const MAX_THREAD_CHARS = 4 * 1024 * 1024;
const MAX_THREADS = 10_000;

/**
 * Per thread, the last `PUT /threads` body that may have landed: the next body starts from it, so it never
 * leaves out a message an earlier one stored. A forgotten thread is built from the trail's log alone.
 */
export class MelodiThreadMemory {
  readonly #threads = new LruMap<string, { built: BuiltThread; chars: number }>(
    MAX_THREADS,
    (_threadId, entry) => {
      this.#chars -= entry.chars;
    },
  );
  #chars = 0;

  get(threadId: string): BuiltThread | undefined {
    return this.#threads.get(threadId)?.built;
  }

  set(threadId: string, built: BuiltThread): void {
    const old = this.#threads.peek(threadId);
    if (old !== undefined) {
      this.#chars -= old.chars;
      this.#threads.delete(threadId);
    }
    if (built.chars > MAX_THREAD_CHARS) return;
    this.#threads.set(threadId, { built, chars: built.chars });
    this.#chars += built.chars;
    while (this.#chars > MAX_CHARS && this.#threads.evictOldest() !== undefined) {}
  }
}

import { LruMap } from '../internal/lru-map';
import type { BuiltThread } from './to-melodi-thread';

// The JSON text kept, in characters: the least recently written threads go first. The text pins the
// messages it was made from, which the trail's thread log usually holds as well. Its bounds are the log's,
// and a thread may be twice the log's bound per thread, so a thread the log lets go for its size is kept.
const MAX_CHARS = 16 * 1024 * 1024;
const MAX_THREAD_CHARS = 4 * 1024 * 1024;
const MAX_THREADS = 10_000;

/**
 * Where the Melodi destination finds what a thread holds at Melodi: the body of the thread's last
 * `PUT /threads` that may have landed (see `BuiltThread`). The next body starts from it, so it never leaves
 * out a message an earlier one stored. In memory, per process, bounded (10,000 threads, 16 MiB of JSON, a
 * thread over 4 MiB not kept): a thread it has forgotten is built from the trail's log and its turns
 * alone. The one place a shared store would plug in.
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

  /** After a PUT of `built`'s body that may have landed. */
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

import type { FlushReport } from '../spec/chat-trail';

/** Open captures kept at most; beyond, the oldest (likely abandoned: a stream nobody read) is forgotten. */
const MAX_OPEN = 10_000;

/** Captures begun and not ended (`beginCapture`): their turns come later (Express on 'close'); flush waits. */
export class CapturesInProgress {
  readonly #open = new Set<object>();
  /** Per settle() waiting: the captures it still waits for, and what it does once none is left. */
  readonly #waiters = new Map<Set<object>, () => void>();

  /** Returns what ends the capture (again: nothing). */
  begin(): () => void {
    const capture = {};
    this.#open.add(capture);
    if (this.#open.size > MAX_OPEN) this.#forget(this.#open.values().next().value!);
    return () => this.#forget(capture);
  }

  /** `flush()` and `shutdown()`: the open captures record first, then `flush` gets what is left of `timeoutMs`. */
  async flushAfter(
    timeoutMs: number,
    flush: (timeoutMs: number) => Promise<FlushReport>,
    debug: (message: string) => void,
  ): Promise<FlushReport> {
    if (this.#open.size === 0) return flush(timeoutMs);
    const started = Date.now();
    const open = await this.#settle(timeoutMs);
    const report = await flush(Math.max(0, timeoutMs - (Date.now() - started)));
    if (open > 0) {
      report.ok = false;
      report.openCaptures = open;
      debug(
        `flush: ${open} capture(s) still in progress after ${timeoutMs} ms; no flush waits for them again`,
      );
    }
    return report;
  }

  /** 0 once every capture open now has ended, or at `timeoutMs` how many had not (forgotten from then on). */
  #settle(timeoutMs: number): Promise<number> {
    return new Promise((resolve) => {
      const left = new Set(this.#open);
      const timer = setTimeout(() => {
        this.#waiters.delete(left);
        for (const capture of left) this.#forget(capture);
        resolve(left.size);
      }, timeoutMs);
      this.#waiters.set(left, () => {
        clearTimeout(timer);
        resolve(0);
      });
    });
  }

  #forget(capture: object): void {
    if (!this.#open.delete(capture)) return;
    for (const [left, done] of this.#waiters) {
      if (!left.delete(capture) || left.size > 0) continue;
      this.#waiters.delete(left);
      done();
    }
  }
}

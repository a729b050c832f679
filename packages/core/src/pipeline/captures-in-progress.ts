import type { FlushReport } from '../spec/chat-trail';

/** Open captures kept at most; beyond, the oldest (likely abandoned: a stream nobody read) is forgotten. */
const MAX_OPEN = 10_000;

interface Waiter {
  readonly left: Set<object>;
  readonly done: () => void;
}

/**
 * The captures adapters have begun and not ended yet (`beginCapture`). Their turns are recorded when they
 * end, which can be after the client has its answer (Express records on 'close'), so `flush()` waits.
 */
export class CapturesInProgress {
  readonly #open = new Set<object>();
  #waiters: Waiter[] = [];

  get size(): number {
    return this.#open.size;
  }

  /** Registers a capture; the returned function ends it (again: nothing). */
  begin(): () => void {
    const capture = {};
    this.#open.add(capture);
    if (this.#open.size > MAX_OPEN) this.#forget(this.#open.values().next().value!);
    return () => this.#forget(capture);
  }

  /**
   * Resolves to 0 once every capture open now has ended, or at `timeoutMs` to how many had not. Those are
   * forgotten: a capture that never ends holds up one flush, not every flush after it.
   */
  settle(timeoutMs: number): Promise<number> {
    if (this.#open.size === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        left: new Set(this.#open),
        done: () => {
          clearTimeout(timer);
          resolve(0);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((other) => other !== waiter);
        const open = waiter.left.size;
        for (const capture of waiter.left) this.#forget(capture);
        resolve(open);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  #forget(capture: object): void {
    if (!this.#open.delete(capture) || this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => {
      waiter.left.delete(capture);
      if (waiter.left.size > 0) return true;
      waiter.done();
      return false;
    });
  }
}

/**
 * `flush()` and `shutdown()`: the captures in progress record their turns first, then `flush` drains in
 * what is left of `timeoutMs` (at once, synchronously, without captures). Captures still open at the
 * timeout make the report not `ok` and are counted in `openCaptures`.
 */
export async function flushAfterCaptures(
  captures: CapturesInProgress,
  timeoutMs: number,
  flush: (timeoutMs: number) => Promise<FlushReport>,
  debug: (message: string) => void,
): Promise<FlushReport> {
  if (captures.size === 0) return flush(timeoutMs);
  const started = Date.now();
  const open = await captures.settle(timeoutMs);
  const report = await flush(Math.max(0, timeoutMs - (Date.now() - started)));
  if (open > 0) {
    report.ok = false;
    report.openCaptures = open;
    debug(`flush: ${open} capture(s) still in progress after ${timeoutMs} ms; no flush waits for them again`);
  }
  return report;
}

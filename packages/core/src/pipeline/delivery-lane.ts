import { backoffDelayMs } from '../http/backoff';
import { nodeBuiltin } from '../internal/node-builtin';
import { quietly } from '../internal/quietly';
import { unrefTimer } from '../internal/unref-timer';
import type { DestinationStats, DropReason } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem, DeliveryOutcome } from '../spec/chat-trail-destination';
import { emptyStats, type LaneHost } from './lane-host';
import { type Batch, itemOf, LaneQueue, type QueuedItem, queuedAt, sizeAt, threadOf } from './lane-queue';
import { tooLargeError } from './lane-reports';
import { PinnedThreads } from './pinned-threads';
import { type BatchTally, readOutcome, tallyOutcomes } from './tally-outcomes';

/**
 * One destination's queue and sender, one batch at a time (per-thread order holds). Full: the OLDEST goes.
 * An outage and a "poison" turn look alike, so a failure counts against an item only when others of its
 * batch were delivered, or it failed alone after something was delivered since its last failure; a counted
 * item waits out its own backoff, goes alone, and is dropped at `maxAttempts`. Otherwise the whole lane
 * backs off, counting nothing (an outage costs no turns). A batch failing whole twice is halved; a 429
 * holds the lane and counts against nothing.
 */
export class DeliveryLane {
  readonly #queue = new LaneQueue();
  #inFlight: readonly DeliveryItem[] = [];
  #inFlightBytes = 0;
  running: Promise<void> | undefined;
  #backoffUntil = 0;
  /** `performance.now()`: a wall clock set back cannot hold batches. */
  #batchStartedAt = Number.NEGATIVE_INFINITY;
  #attempt = 0;
  /** Batches that delivered something: evidence the destination is up. */
  #successes = 0;
  #wholeFailures = 0;
  /** Items per batch while halving a batch that fails whole; lifted by any success. */
  #batchLimit = Number.POSITIVE_INFINITY;
  /** Nothing queued is ready before this (items waiting out their own backoff). */
  #heldUntil = 0;
  #wakeTimer: ReturnType<typeof setTimeout> | undefined;
  #batchAbort: AbortController | undefined;
  /** Flushes in progress: while one waits, batches go back to back whatever their size. */
  #drains = 0;
  readonly #stats = emptyStats();
  /** The threads its turns read (see `PinnedThreads`). */
  readonly pins = new PinnedThreads();

  constructor(
    readonly destination: ChatTrailDestination,
    private readonly host: LaneHost,
  ) {}

  get name(): string {
    return this.destination.name;
  }

  get queueLength(): number {
    return this.#queue.length;
  }

  get pending(): number {
    return this.#queue.length + this.#inFlight.length;
  }

  enqueue(item: DeliveryItem, bytes: number, threadBytes?: number): void {
    this.host.queued?.hold(item, bytes);
    this.pins.hold(item, threadBytes);
    if (bytes > this.host.maxQueueBytes / 2) {
      this.#drop('too_large', [{ item, bytes }], tooLargeError(bytes, this.host.maxQueueBytes));
      return;
    }
    this.#queue.pushBack(item, bytes);
    this.#heldUntil = 0; // this one may be ready
    this.#enforceBounds();
  }

  kick(): void {
    if (this.running !== undefined || this.#queue.length === 0 || this.host.signal.aborted) return;
    if (this.#waitMs() > 0) {
      this.#armWakeTimer();
      return;
    }
    this.running = this.#run()
      // Nothing in a run should throw; if something does, it is reported, never an unhandled rejection.
      .catch((error: unknown) => this.host.failed(this, error))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Sends until the queue is empty or `deadline` passes, waiting out backoffs that end before it. */
  async drain(deadline: number): Promise<void> {
    this.#drains++;
    try {
      while (!this.host.signal.aborted) {
        if (this.running !== undefined) {
          await this.running;
          continue;
        }
        const now = Date.now();
        if (this.#queue.length === 0 || now >= deadline) return;
        const until = Math.max(this.#backoffUntil, this.#heldUntil);
        if (until >= deadline) return;
        if (until > now) {
          // Not unref'd: someone is awaiting this flush, so the process must stay up for it.
          await new Promise((resolve) => setTimeout(resolve, until - now));
          continue;
        }
        this.kick();
        if (this.running === undefined) return;
      }
    } finally {
      this.#drains--;
    }
  }

  /** Shutdown: the batch in flight is aborted, its items stay pending. */
  stop(): void {
    this.#batchAbort?.abort();
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
  }

  /** After `stop()`: the items still pending (in flight first, then waiting), in order. */
  pendingItems(): DeliveryItem[] {
    return [...this.#inFlight, ...this.#queue.toArray()];
  }

  snapshot(): DestinationStats {
    return {
      ...this.#stats,
      dropped: { ...this.#stats.dropped },
      feedback: { ...this.#stats.feedback },
      queuedTurns: this.pending,
      queuedBytes: this.#queue.bytes + this.#inFlightBytes + this.pins.bytes,
      backoffMs: Math.max(0, this.#backoffUntil - Date.now()),
    };
  }

  async #run(): Promise<void> {
    for (let first = true; this.#queue.length > 0 && !this.host.signal.aborted; first = false) {
      // A backoff before the flushAt check: when it ends, retried turns go whatever their number.
      if (Date.now() < this.#backoffUntil) {
        this.#armWakeTimer();
        return;
      }
      // Back to back only while a full flushAt waits (or a flush): a handful left over joins the next batch.
      if (!first && this.#drains === 0 && this.#queue.length < this.host.flushAt) {
        this.host.waiting();
        return;
      }
      if (this.#waitMs() > 0 || !(await this.#sendBatch())) {
        this.#armWakeTimer();
        return;
      }
    }
  }

  /** False when nothing queued was ready to go (items waiting out their backoff). */
  async #sendBatch(): Promise<boolean> {
    const max = Math.min(this.host.maxBatchTurns, this.#batchLimit);
    // At most half the byte bound per batch, so newer turns can still queue behind a batch that hangs.
    const batch = this.#queue.takeBatch(max, this.host.maxQueueBytes / 2, Date.now());
    this.#heldUntil = typeof batch === 'number' ? batch : 0;
    if (typeof batch === 'number') return false;
    this.#inFlight = batch.items;
    this.#inFlightBytes = batch.bytes;
    const started = Date.now();
    this.#batchStartedAt = performance.now();
    let outcomes: (DeliveryOutcome | undefined)[] | undefined;
    let failure: unknown;
    try {
      this.#batchAbort = batchAbortController();
      const said = await this.destination.send(batch.items, this.#sendContext(this.#batchAbort.signal));
      if (!Array.isArray(said)) throw new TypeError('send() did not resolve to an array of outcomes');
      // Read once, here: an outcome whose getter throws fails the batch whole, not half settled.
      outcomes = batch.items.map((_, i) => readOutcome(said[i]));
    } catch (error) {
      failure = error;
    }
    this.#inFlight = [];
    this.#inFlightBytes = 0;
    if (outcomes !== undefined) this.#apply(batch, outcomes, Date.now() - started);
    else {
      const items = batch.items.map((_, i) => queuedAt(batch, i));
      this.#drop('internal_error', items, failure);
    }
    return true;
  }

  #sendContext(signal: AbortSignal) {
    const host = this.host;
    const stats = this.#stats;
    const context = {
      signal,
      stopping: host.signal,
      timeoutMs: host.timeoutMs,
      // The lane is the one retry layer: each request is sent once per attempt of its batch.
      maxRetries: 0,
      onRequest: () => {
        stats.requests++;
      },
      onRetry: (error?: unknown) => {
        stats.retried++;
        if (error !== undefined) host.retrying?.(this, error);
      },
      onAmbiguous: (error?: unknown, notResent?: boolean) => {
        stats.ambiguous++;
        if (notResent === true && error !== undefined) host.notResent?.(this, error);
      },
      debug: (message: string) => host.debug(message),
    };
    return host.store === undefined ? context : { ...context, store: host.store.scoped(this.name) };
  }

  #apply(batch: Batch, outcomes: readonly (DeliveryOutcome | undefined)[], elapsedMs: number): void {
    const tally = tallyOutcomes(batch, outcomes, this.#stats);
    const { sent, retry, retryErrors, retryAfterMs, dropped } = tally;
    if (sent > 0) {
      const delivered = batch.items.filter((_, i) => outcomes[i]?.status === 'sent');
      for (let i = 0; i < outcomes.length; i++)
        if (outcomes[i]?.status === 'sent') this.#release(batch.items[i]!, sizeAt(batch, i));
      this.host.delivered?.(this, delivered);
      this.#successes++;
      this.#wholeFailures = 0;
      this.#batchLimit = Number.POSITIVE_INFINITY;
    }
    // Which failures count against their item (see the class comment).
    let counted = 0;
    let back: QueuedItem[] = retry;
    if (retry.length > 0 && retryAfterMs === undefined)
      ({ back, counted } = this.#charge(tally, batch.items.length));
    for (const group of dropped.values()) this.#drop(group.reason, group.items, group.error);
    this.host.debug(
      `${this.name}: batch of ${batch.items.length} → ${sent} sent, ${retry.length} to retry${counted > 0 ? ` (${counted} failure(s) counted against their turn)` : ''}, ${batch.items.length - sent - retry.length} dropped (${elapsedMs} ms)`,
    );
    if (back.length === 0) {
      // Everything settled (a turn given up on counts as settled too): nothing to wait for.
      if (retry.length === 0 || sent > 0) this.#attempt = 0;
      this.#backoffUntil = 0;
      return;
    }
    // Back to the front, in their original order, ahead of anything queued meanwhile.
    for (let i = back.length - 1; i >= 0; i--) this.#queue.pushFront(back[i]!);
    this.#stats.retried++;
    this.#enforceBounds();
    if (this.host.signal.aborted) return;
    this.host.failed(this, retryErrors.at(-1));
    if (retryAfterMs === undefined && (sent > 0 || counted > 0 || batch.items.length === 1)) {
      if (sent === 0 && counted === 0) {
        // Failed alone, nothing says the destination is up: it waits while the others tell an outage from it.
        this.#attempt++;
        const state = back[0]!.retry!;
        state.notBefore = Date.now() + this.#backoffDelay(this.#attempt);
        state.alone = true;
      }
      // Only the failed items wait (each its own backoff); the rest goes on.
      if (sent > 0) this.#attempt = 0;
      this.#backoffUntil = 0;
      this.host.debug(
        `${this.name}: ${back.length} item(s) back in the queue, each waiting out its own backoff`,
      );
      return;
    }
    if (retryAfterMs === undefined && sent === 0 && ++this.#wholeFailures >= 2 && back.length > 1) {
      // Failed whole again: maybe one bad item fails the batch. Halve until it fails alone.
      this.#batchLimit = Math.ceil(back.length / 2);
    }
    this.#attempt++;
    const delay =
      retryAfterMs !== undefined ? Math.min(retryAfterMs, 3_600_000) : this.#backoffDelay(this.#attempt);
    this.#backoffUntil = Date.now() + delay;
    this.host.debug(`${this.name}: ${back.length} item(s) back in the queue; next attempt in ${delay} ms`);
    this.#armWakeTimer();
  }

  /** Counts the failures that are the items' own against them; returns the items to put back. */
  #charge(tally: BatchTally, batchLength: number): { back: QueuedItem[]; counted: number } {
    let counted = 0;
    const back: QueuedItem[] = [];
    const now = Date.now();
    const threads = new Set<string>();
    for (const [i, queued] of tally.retry.entries()) {
      queued.retry ??= { attempts: 0, notBefore: 0, successes: -1, alone: false };
      const state = queued.retry;
      const thread = threadOf(queued.item);
      const attributable =
        tally.sent > 0 || (batchLength === 1 && state.successes >= 0 && state.successes < this.#successes);
      // Only the first failing item of a thread: the ones after it failed behind it, not for themselves.
      if (attributable && !threads.has(thread)) {
        threads.add(thread);
        counted++;
        state.attempts++;
        if (state.attempts >= this.host.maxAttempts) {
          tally.dropped.add('retries_exhausted', queued, tally.retryErrors[i]);
          continue;
        }
        state.notBefore = now + this.#backoffDelay(state.attempts);
        state.alone = true;
      }
      state.successes = this.#successes;
      back.push(queued);
    }
    return { back, counted };
  }

  #backoffDelay(attempt: number): number {
    const { backoffInitialMs: baseMs, backoffMaxMs: capMs } = this.host;
    return backoffDelayMs(attempt - 1, { baseMs, capMs });
  }

  /** Not before a backoff ends, nor (unless a flush waits) within `minBatchIntervalMs` of the last start. */
  #waitMs(): number {
    const backoff = Math.max(this.#backoffUntil, this.#heldUntil) - Date.now();
    const paced =
      this.#drains === 0 ? this.#batchStartedAt + this.host.minBatchIntervalMs - performance.now() : 0;
    return Math.max(0, backoff, paced);
  }

  #armWakeTimer(): void {
    if (this.#wakeTimer !== undefined || this.host.signal.aborted) return;
    const wake = () => {
      this.#wakeTimer = undefined;
      this.kick();
    };
    this.#wakeTimer = unrefTimer(setTimeout(wake, this.#waitMs()));
  }

  #enforceBounds(): void {
    const { maxQueueTurns, maxQueueBytes } = this.host;
    let dropped: QueuedItem[] | undefined; // allocated only when something goes: enqueue() calls this
    while (
      this.#queue.length > 0 &&
      (this.#queue.length + this.#inFlight.length > maxQueueTurns ||
        this.#queue.bytes + this.#inFlightBytes + this.pins.bytes > maxQueueBytes)
    ) {
      dropped ??= [];
      const queued = this.#queue.popFront();
      // Let go at once: the thread it may have been the last to read stops counting before the next check.
      this.#release(queued.item, queued.bytes);
      dropped.push(queued);
    }
    if (dropped !== undefined) this.#drop('queue_full', dropped, undefined, true); // released as they went
  }

  #drop(reason: DropReason, items: readonly QueuedItem[], error?: unknown, released = false): void {
    for (const queued of items) {
      if (!released) this.#release(queued.item, queued.bytes);
      if (queued.item.type !== 'feedback') this.#stats.dropped[reason]++;
      else this.#stats.feedback.dropped++;
    }
    // A turn dropped from memory for room stays in the spool (if any), for the next start.
    if (reason !== 'queue_full') this.host.gaveUp?.(this, items.map(itemOf));
    this.host.dropped(this, reason, items, error);
  }

  #release(item: DeliveryItem, bytes: number): void {
    this.host.queued?.release(item, bytes);
    this.pins.release(item);
  }
}

/** Without Node's listener limit (every request listens to it; only a warning is at stake). */
function batchAbortController(): AbortController {
  const controller = new AbortController();
  type Events = { setMaxListeners?: (n: number, ...targets: unknown[]) => void };
  quietly(() => nodeBuiltin<Events>('node:events')?.setMaxListeners?.(0, controller.signal));
  return controller;
}

import { unrefTimer } from '../internal/unref-timer';
import type { DestinationStats, DropReason } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import { awaitWorkerStop } from './await-worker-stop';
import type { LaneHost } from './lane-host';
import type { LaneReporter } from './lane-reporter';
import { tooLargeError } from './lane-reports';
import { ThreadMirrors } from './thread-mirrors';
import { fromWireError } from './wire-error';
import { WorkerLane } from './worker-lane';
import type { FromWorker, WireItem, WorkerInit } from './worker-protocol';
import { addStats, emptyStats } from './worker-stats';

/** What is used of `node:worker_threads` (reached at run time, never imported: the root entry runs on Edge). */
export interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => WorkerLike;
}

export interface WorkerLike {
  postMessage(message: unknown): void;
  on(event: 'message' | 'error' | 'exit', listener: (value: never) => void): unknown;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** An item the worker has not acknowledged: the trail's copy, re-sent if the worker dies. */
interface Held {
  readonly item: DeliveryItem;
  readonly bytes: number;
  /** A bit per lane that has not yet delivered or dropped it. */
  lanes: number;
}

const HAND_OVER_MS = 10;
/** Restarts in a row with nothing acknowledged in between before the trail gives up on the worker. */
const MAX_RESTARTS = 3;
const live = new Set<WorkerDelivery>();

/**
 * A trail's delivery worker, seen from the app's thread. `record()` hands items to `add()`; they cross in
 * one message per microtask, and the trail keeps each until the worker says every lane delivered or
 * dropped it, so that a worker that dies is started again and sent what it held. The worker never keeps
 * the process alive by itself: it is ref'd only while a flush waits for it.
 */
export class WorkerDelivery {
  readonly lanes: WorkerLane[];
  readonly #threads: WorkerThreads;
  readonly #source: string;
  readonly #init: WorkerInit;
  readonly #reporter: LaneReporter;
  /** The trail's: its queued bytes (`queued`) and the spool's acknowledgements (`settled`). */
  readonly #host: Pick<LaneHost, 'queued' | 'settled'>;
  readonly #debug: (message: string) => void;
  #worker: WorkerLike | undefined;
  readonly #held = new Map<number, Held>();
  readonly #counts: number[];
  readonly #bytes: number[];
  #outbox: number[] = [];
  #seq = 0;
  /** Items up to this seq were held by a worker that died (see `ThreadMirrors.encode`). */
  #resent = 0;
  #postScheduled = false;
  readonly #mirrors = new ThreadMirrors();
  #stats: DestinationStats[];
  /** What workers that ended had counted. */
  readonly #base: DestinationStats[];
  readonly #flushes = new Map<
    number,
    { deadline: number; done: () => void; timer: ReturnType<typeof setTimeout> }
  >();
  readonly #flushed = new Map<number, Promise<void>>();
  #nextFlush = 1;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #restarts = 0;
  #gaveUp = false;

  constructor(
    threads: WorkerThreads,
    source: string,
    destinations: readonly ChatTrailDestination[],
    init: WorkerInit,
    host: Pick<LaneHost, 'queued' | 'settled' | 'debug'>,
    reporter: LaneReporter,
  ) {
    this.#threads = threads;
    this.#source = source;
    this.#init = init;
    this.#reporter = reporter;
    this.#host = host;
    this.#debug = (message) => host.debug(message);
    const names = destinations.map((destination) => destination.name);
    this.#counts = names.map(() => 0);
    this.#bytes = names.map(() => 0);
    this.#stats = names.map(() => emptyStats());
    this.#base = names.map(() => emptyStats());
    this.lanes = destinations.map((destination, index) => new WorkerLane(destination, this, index));
    this.#start();
    live.add(this);
  }

  pending(lane: number): number {
    return this.#counts[lane]!;
  }

  /** Called for each lane an item goes to, one lane after another: the lanes of one item share one entry. */
  add(lane: number, item: DeliveryItem, bytes: number): void {
    const { maxQueueBytes } = this.#init.host;
    if (bytes > maxQueueBytes / 2) {
      // As a lane does, when recorded: it could never go in a batch.
      this.#countDrop(lane, item, 'too_large');
      this.#host.settled?.(this.lanes[lane]!, [item]);
      this.#reporter.dropped(
        this.lanes[lane]!,
        'too_large',
        [{ item, bytes }],
        tooLargeError(bytes, maxQueueBytes),
      );
      return;
    }
    const bit = 1 << lane;
    const lastSeq = this.#outbox[this.#outbox.length - 1];
    const last = lastSeq === undefined ? undefined : this.#held.get(lastSeq);
    if (last !== undefined && last.item === item) last.lanes |= bit;
    else {
      const seq = ++this.#seq;
      this.#held.set(seq, { item, bytes, lanes: bit });
      this.#outbox.push(seq);
    }
    this.#counts[lane]!++;
    this.#bytes[lane]! += bytes;
    this.#host.queued?.hold(item, bytes);
    if (this.#gaveUp) {
      this.#dropAll(new Error('the delivery worker could not be kept running'));
      return;
    }
    if (this.#postScheduled) return;
    this.#postScheduled = true;
    // One message per tick of HAND_OVER_MS, not per microtask: a message costs the app's thread several µs
    // whatever it carries, and batches start at most every minBatchIntervalMs anyway. flush() hands over at
    // once; unref'd, so it never keeps the process up (beforeExit's flush hands over what is left).
    unrefTimer(setTimeout(() => this.#post(), HAND_OVER_MS));
  }

  drain(deadline: number): Promise<void> {
    if (this.#stopped || this.#held.size === 0 || this.#worker === undefined) return Promise.resolve();
    const same = [...this.#flushes].find(([, flush]) => flush.deadline === deadline);
    if (same !== undefined) return this.#flushed.get(same[0])!;
    this.#post();
    const id = this.#nextFlush++;
    const promise = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#flushes.delete(id);
        this.#flushed.delete(id);
        if (this.#flushes.size === 0) this.#worker?.unref();
        resolve();
      };
      // The caller races its own timer too; this one lets the worker go again when the flush gives up.
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      this.#flushes.set(id, { deadline, done, timer });
    });
    this.#flushed.set(id, promise);
    this.#worker.ref();
    this.#worker.postMessage({ t: 'flush', id, deadline });
    return promise;
  }

  /** Shutdown: the worker ends (its requests with it); what it held stays pending, for `onDrop`. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    live.delete(this);
    for (const flush of [...this.#flushes.values()]) flush.done();
    const worker = this.#worker;
    this.#worker = undefined;
    void worker?.terminate().catch(() => {});
  }

  /** Shutdown with a spool: the worker stops as `stopLanes` does and reports the outcomes, then ends. */
  stopGracefully(graceMs: number): Promise<void> {
    const worker = this.#stopped ? undefined : this.#worker;
    this.#stopping ??= (worker === undefined ? Promise.resolve() : awaitWorkerStop(worker, graceMs)).then(
      () => this.stop(),
    );
    return this.#stopping;
  }

  pendingItems(lane: number): DeliveryItem[] {
    const bit = 1 << lane;
    const items: DeliveryItem[] = [];
    for (const held of this.#held.values()) if ((held.lanes & bit) !== 0) items.push(held.item);
    return items;
  }

  snapshot(lane: number): DestinationStats {
    const stats = addStats(this.#base[lane]!, this.#stats[lane]!);
    stats.queuedTurns = this.#counts[lane]!;
    stats.queuedBytes = this.#bytes[lane]!;
    stats.backoffMs = this.#stats[lane]!.backoffMs;
    return stats;
  }

  /** @internal For tests: ends the worker as a crash would; resolves once the trail has seen it end. */
  terminateWorker(): Promise<number> | undefined {
    const worker = this.#worker;
    if (worker === undefined) return undefined;
    return new Promise((resolve) => {
      // After the listener #start added, which restarts it.
      worker.on('exit', (code: number) => resolve(code));
      void worker.terminate();
    });
  }

  #start(): void {
    const worker = new this.#threads.Worker(this.#source, { eval: true, workerData: this.#init });
    worker.on('message', (message: FromWorker) => {
      if (this.#worker === worker) this.#receive(message);
    });
    worker.on('error', (error: Error) => this.#debug(`the delivery worker failed: ${error.message}`));
    worker.on('exit', (code: number) => {
      if (this.#worker === worker) this.#restart(code);
    });
    // After the listeners: a 'message' listener refs the worker's port again.
    if (this.#flushes.size === 0) worker.unref();
    this.#worker = worker;
  }

  #post(): void {
    this.#postScheduled = false;
    const worker = this.#worker;
    if (worker === undefined) return;
    const forgotten = this.#mirrors.takeForgotten();
    if (forgotten.length > 0) worker.postMessage({ t: 'forget', mirrors: forgotten });
    if (this.#outbox.length === 0) return;
    const items: WireItem[] = [];
    for (const seq of this.#outbox) {
      const held = this.#held.get(seq);
      if (held === undefined) continue;
      items.push(this.#mirrors.encode(seq, held.lanes, held.bytes, held.item, seq <= this.#resent));
    }
    const seqs = this.#outbox;
    this.#outbox = [];
    try {
      worker.postMessage({ t: 'items', items });
    } catch {
      this.#postOneByOne(worker, seqs);
    }
  }

  /**
   * A batch that could not be cloned (a `redact` that returned a function or a class instance): each item
   * alone, threads from their start, and those that cannot cross are dropped as `internal_error`.
   */
  #postOneByOne(worker: WorkerLike, seqs: readonly number[]): void {
    this.#mirrors.reset();
    for (const seq of seqs) {
      const held = this.#held.get(seq);
      if (held === undefined) continue;
      try {
        worker.postMessage({
          t: 'items',
          items: [this.#mirrors.encode(seq, held.lanes, held.bytes, held.item)],
        });
      } catch (error) {
        this.#mirrors.reset();
        this.lanes.forEach((lane, index) => {
          if ((held.lanes & (1 << index)) === 0) return;
          this.#settle(index, seq);
          this.#countDrop(index, held.item, 'internal_error');
          this.#host.settled?.(lane, [held.item]);
          this.#reporter.dropped(lane, 'internal_error', [held], error);
        });
      }
    }
  }

  #receive(message: FromWorker): void {
    if (message.t === 'flushed') {
      this.#flushes.get(message.id)?.done();
      return;
    }
    if (message.t === 'stopped') return;
    this.#stats = message.stats.slice();
    for (const event of message.events) {
      const lane = this.lanes[event.lane];
      if (lane === undefined) continue;
      const error = fromWireError(event.error);
      if (event.kind === 'dropped') {
        const reason = event.reason ?? 'internal_error';
        const items = [];
        for (const seq of event.seqs ?? []) {
          const held = this.#settle(event.lane, seq);
          if (held !== undefined) items.push({ item: held.item, bytes: held.bytes });
        }
        // As a lane does: a turn dropped from memory for room stays in the spool, for the next start.
        if (reason !== 'queue_full' && items.length > 0) {
          this.#host.settled?.(
            lane,
            items.map((queued) => queued.item),
          );
        }
        this.#reporter.dropped(lane, reason, items, error);
      } else if (event.kind === 'failed') this.#reporter.failed(lane, error);
      else if (event.kind === 'retrying') this.#reporter.retrying(lane, error);
      else this.#reporter.notResent(lane, error);
    }
    message.sent.forEach((seqs, lane) => {
      if (seqs.length === 0) return;
      const items: DeliveryItem[] = [];
      for (const seq of seqs) {
        const held = this.#settle(lane, seq);
        if (held !== undefined) items.push(held.item);
      }
      this.#host.settled?.(this.lanes[lane]!, items);
      this.#restarts = 0;
    });
    for (const line of message.debug) this.#debug(line);
  }

  /** Lane `lane` is done with item `seq`: the item, unless it was not held for that lane. */
  #settle(lane: number, seq: number): Held | undefined {
    const held = this.#held.get(seq);
    const bit = 1 << lane;
    if (held === undefined || (held.lanes & bit) === 0) return undefined;
    held.lanes &= ~bit;
    this.#counts[lane]!--;
    this.#bytes[lane]! -= held.bytes;
    this.#host.queued?.release(held.item, held.bytes);
    if (held.lanes === 0) this.#held.delete(seq);
    return held;
  }

  /** The worker ended: a new one is sent everything not acknowledged, and the flushes waiting. */
  #restart(code: number): void {
    this.#worker = undefined;
    // Ended while stopping: what it had not reported stays pending (a spool keeps it for the next start).
    if (this.#stopped || this.#stopping !== undefined) return;
    this.#stats.forEach((stats, lane) => {
      this.#base[lane] = addStats(this.#base[lane]!, stats);
      this.#stats[lane] = emptyStats();
    });
    if (++this.#restarts > MAX_RESTARTS) {
      this.#gaveUp = true;
      live.delete(this);
      this.#dropAll(
        new Error(`the delivery worker ended (exit code ${code}) ${MAX_RESTARTS} times in a row`),
      );
      for (const flush of [...this.#flushes.values()]) flush.done();
      return;
    }
    this.#debug(
      `the delivery worker ended (exit code ${code}); starting another, which is sent the ${this.#held.size} item(s) not acknowledged`,
    );
    this.#mirrors.reset();
    this.#mirrors.takeForgotten();
    this.#start();
    this.#outbox = [...this.#held.keys()];
    this.#resent = this.#seq;
    this.#post();
    for (const [id, flush] of this.#flushes) {
      this.#worker!.ref();
      this.#worker!.postMessage({ t: 'flush', id, deadline: flush.deadline });
    }
  }

  #countDrop(lane: number, item: DeliveryItem, reason: DropReason): void {
    const base = this.#base[lane]!;
    if (item.type === 'feedback') base.feedback.dropped++;
    else base.dropped[reason]++;
  }

  /** Gave up on the worker: every item held is dropped as `internal_error`, and counted. */
  #dropAll(error: Error): void {
    this.lanes.forEach((lane, index) => {
      const bit = 1 << index;
      const items = [];
      for (const [seq, held] of this.#held) {
        if ((held.lanes & bit) === 0) continue;
        items.push({ item: held.item, bytes: held.bytes });
        this.#settle(index, seq);
      }
      if (items.length === 0) return;
      for (const { item } of items) this.#countDrop(index, item, 'internal_error');
      this.#host.settled?.(
        lane,
        items.map((queued) => queued.item),
      );
      this.#reporter.dropped(lane, 'internal_error', items, error);
    });
  }
}

/** @internal For tests: how many trails deliver from a worker now. */
export function liveDeliveryWorkers(): number {
  return live.size;
}

/** @internal For tests: ends every trail's delivery worker, as a crash would; resolves with how many. */
export async function terminateDeliveryWorkers(): Promise<number> {
  const ended = await Promise.all([...live].map((delivery) => delivery.terminateWorker()));
  return ended.filter((code) => code !== undefined).length;
}

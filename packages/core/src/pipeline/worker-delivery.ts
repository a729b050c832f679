import { unrefTimer } from '../internal/unref-timer';
import type { DropReason } from '../spec/chat-trail';
import type { ChatTrailDestination, DeliveryItem } from '../spec/chat-trail-destination';
import type { TurnMessage } from '../spec/turn';
import { type TurnDelta, type TurnHead, turnHead } from '../thread/turn-delta';
import type { LaneHost } from './lane-host';
import type { QueuedItem } from './lane-queue';
import type { LaneReporter } from './lane-reporter';
import { tooLargeError } from './lane-reports';
import { within } from './stop-lanes';
import { type WireTurn, wireTurn } from './wire-turn';
import { WorkerLane, waitingFor } from './worker-lane';
import { type FromWorker, fromWireError, type WireItem, type WorkerInit } from './worker-protocol';

/** What is used of `node:worker_threads` (reached at run time, never imported: the root entry runs on Edge). */
export interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => Worker;
}

interface Worker {
  postMessage(message: unknown): void;
  on(event: 'message' | 'error' | 'exit', listener: (value: never) => void): unknown;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** An item the worker has not acknowledged (re-sent if it dies); `lanes`: a bit per lane not done with it. */
type Held = QueuedItem & { readonly seq: number; lanes: number };

/** How often the app's thread hands what was recorded to the worker: one message per this many ms. */
const HAND_OVER_MS = 10;
/** Restarts in a row with nothing acknowledged in between before the trail gives up on the worker. */
const MAX_RESTARTS = 3;
/** Beyond the worker's own bound (2 × graceMs, see stopLanes): how long a stop waits for its answer. */
const STOP_MARGIN_MS = 1_000;
const live = new Set<WorkerDelivery>();
const itemOf = (queued: QueuedItem) => queued.item;

/**
 * A trail's delivery worker, seen from the app's thread. The trail keeps each item until the worker says every
 * lane is done with it, so a worker that dies is started again and sent what it held. Ref'd only during a flush.
 */
export class WorkerDelivery {
  readonly lanes: WorkerLane[];
  #worker: Worker | undefined;
  readonly #held = new Map<number, Held>();
  /** Held items not handed over yet (those with no lane left were dropped meanwhile). */
  #outbox: Held[] = [];
  #seq = 0;
  /** Items up to this seq were held by a worker that died (see `#encode`). */
  #resent = 0;
  #postScheduled = false;
  /** What the worker holds of each thread array (its copy, by id), so a turn crosses with only what it lacks. */
  #mirrors = new WeakMap<readonly TurnMessage[], { id: number; have: number; head?: TurnHead }>();
  #nextMirror = 1;
  /** Ids of thread arrays collected here: the worker is told to forget its copies. */
  #forgotten: number[] = [];
  readonly #registry = new FinalizationRegistry<number>((id) => this.#forgotten.push(id));
  readonly #flushes = new Map<number, { deadline: number; done: () => void; promise: Promise<void> }>();
  #nextFlush = 1;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #restarts = 0;

  constructor(
    private readonly threads: WorkerThreads,
    private readonly source: string,
    destinations: readonly ChatTrailDestination[],
    private readonly init: WorkerInit,
    /** The trail's: its queued bytes (`queued`) and the spool's acknowledgements (`delivered`, `gaveUp`). */
    private readonly host: Pick<LaneHost, 'queued' | 'delivered' | 'gaveUp' | 'debug'>,
    private readonly reporter: LaneReporter,
  ) {
    this.lanes = destinations.map((destination, index) => new WorkerLane(destination, index, this));
    this.#start();
    live.add(this);
  }

  /** Called for each lane an item goes to, one lane after another: the lanes of one item share one entry. */
  add(lane: WorkerLane, item: DeliveryItem, bytes: number): void {
    const { maxQueueBytes } = this.init.host;
    if (bytes > maxQueueBytes / 2) {
      // As a lane does, when recorded: it could never go in a batch.
      this.#dropped(lane, 'too_large', [{ item, bytes }], tooLargeError(bytes, maxQueueBytes), true);
      return;
    }
    const bit = 1 << lane.index;
    const last = this.#outbox[this.#outbox.length - 1];
    if (last?.item === item && last.lanes !== 0) last.lanes |= bit;
    else {
      const held = { seq: ++this.#seq, item, bytes, lanes: bit };
      this.#held.set(held.seq, held);
      this.#outbox.push(held);
    }
    lane.pending++;
    lane.bytes += bytes;
    const { waiting } = lane;
    waiting.turns++;
    waiting.bytes += bytes;
    waiting.pins.hold(item);
    this.host.queued?.hold(item, bytes);
    this.#trim(lane);
    if (this.#restarts > MAX_RESTARTS)
      this.#dropAll(new Error('the delivery worker could not be kept running'));
    else if (!this.#postScheduled) {
      this.#postScheduled = true;
      // Not one message per microtask: a message costs the app's thread several µs whatever it carries.
      // flush() hands over at once; unref'd, so it never keeps the process up (beforeExit's flush does).
      unrefTimer(setTimeout(() => this.#post(), HAND_OVER_MS));
    }
  }

  drain(deadline: number): Promise<void> {
    const worker = this.#worker;
    if (this.#stopped || this.#held.size === 0 || worker === undefined) return Promise.resolve();
    for (const flush of this.#flushes.values()) if (flush.deadline === deadline) return flush.promise;
    this.#post();
    const id = this.#nextFlush++;
    let done = () => {};
    const answered = new Promise<void>((resolve) => (done = resolve));
    // The caller races its own timer too; this one lets the worker go again when the flush gives up.
    const promise = within(answered, deadline - Date.now()).then(() => {
      this.#flushes.delete(id);
      if (this.#flushes.size === 0) this.#worker?.unref();
    });
    this.#flushes.set(id, { deadline, done, promise });
    worker.ref();
    worker.postMessage({ t: 'flush', id, deadline });
    return promise;
  }

  /** Shutdown: the worker ends (its requests with it); what it held stays pending, for `onDrop`. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    live.delete(this);
    for (const flush of this.#flushes.values()) flush.done();
    void this.#worker?.terminate().catch(() => {});
    this.#worker = undefined;
  }

  /** Shutdown with a spool: the worker stops as `stopLanes` does and reports the outcomes, then ends. */
  stopGracefully(graceMs: number): Promise<void> {
    this.#stopping ??= awaitStop(this.#stopped ? undefined : this.#worker, graceMs).then(() => this.stop());
    return this.#stopping;
  }

  pendingItems(lane: WorkerLane): DeliveryItem[] {
    const bit = 1 << lane.index;
    return [...this.#held.values()].filter((held) => (held.lanes & bit) !== 0).map(itemOf);
  }

  /** @internal For tests: ends the worker as a crash would; resolves once the trail has seen it end. */
  terminateWorker(): Promise<number> | undefined {
    // Node resolves it from an 'exit' listener added after #start's, which restarts the worker.
    return this.#worker?.terminate();
  }

  #start(): void {
    const worker = new this.threads.Worker(this.source, { eval: true, workerData: this.init });
    worker.on('message', (message: FromWorker) => {
      if (this.#worker === worker) this.#receive(message);
    });
    worker.on('error', (error: Error) => this.host.debug(`the delivery worker failed: ${error.message}`));
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
    if (this.#forgotten.length > 0) worker.postMessage({ t: 'forget', mirrors: this.#forgotten.splice(0) });
    const outbox = this.#outbox.filter((held) => held.lanes !== 0);
    this.#outbox = [];
    for (const lane of this.lanes) lane.waiting = waitingFor();
    if (outbox.length === 0) return;
    try {
      const items = outbox.map((held) => this.#encode(held, held.seq <= this.#resent));
      worker.postMessage({ t: 'items', json: JSON.stringify(items) });
      return;
    } catch {}
    // A batch that could not be serialised (a BigInt or a cycle in it, say): each item alone.
    this.#mirrors = new WeakMap();
    for (const held of outbox) {
      try {
        worker.postMessage({ t: 'items', json: JSON.stringify([this.#encode(held)]) });
      } catch (error) {
        this.#mirrors = new WeakMap();
        this.#dropAll(error, [held.seq]);
      }
    }
  }

  /** What crosses for `held`. `resent`: a dead worker may have sent it in part (see `isFirstTurn`). */
  #encode({ seq, lanes, bytes, item }: Held, resent = false): WireItem | WireTurn {
    if (item.type !== 'turn') return { seq, lanes, bytes, item };
    // A TurnDelta's private fields do not clone; `turn` builds a Turn on each read, so it is read once.
    const { thread, start = 0 } = item;
    const turn = resent ? { ...item.turn, turnMessages: undefined } : item.turn;
    if (thread === undefined) {
      return wireTurn([seq, lanes, bytes, 0, 0, 0, 0], turnHead(undefined, turn), turn, undefined);
    }
    let mirror = this.#mirrors.get(thread);
    if (mirror === undefined) {
      mirror = { id: this.#nextMirror++, have: 0 };
      this.#mirrors.set(thread, mirror);
      this.#registry.register(thread, mirror.id);
    }
    const { id, have } = mirror;
    let own = 0;
    while (own < turn.messages.length && thread[start + own] === turn.messages[own]) own++;
    mirror.have = start > have ? start + own : Math.max(have, start + own);
    // The thread's last head while the turn's fields are the same: the worker has it already.
    const last = mirror.head?.threadId === turn.threadId ? mirror.head : undefined;
    const head = turnHead(last, turn);
    const same = head === last;
    mirror.head = head;
    const prefix = start > have ? thread.slice(have, start) : undefined;
    const pinned = (item as TurnDelta).threadBytes ?? 0;
    return wireTurn([seq, lanes, bytes, id, have, own, start], same ? 0 : head, turn, prefix, pinned);
  }

  #receive(message: FromWorker): void {
    if (message.t === 'flushed') this.#flushes.get(message.id)?.done();
    if (message.t !== 'report') return;
    for (const lane of this.lanes) {
      lane.stats = message.stats[lane.index]!;
      lane.pins.bytes = message.pins[lane.index]!;
    }
    for (const event of message.events) {
      const lane = this.lanes[event.lane]!;
      const error = fromWireError(event.error);
      if (event.kind !== 'dropped') this.reporter[event.kind](lane, error);
      else {
        const items = this.#settleAll(lane, event.seqs ?? []);
        this.#dropped(lane, event.reason ?? 'internal_error', items, error, false);
      }
    }
    message.sent.forEach((seqs, index) => {
      if (seqs.length === 0) return;
      const lane = this.lanes[index]!;
      this.host.delivered?.(lane, this.#settleAll(lane, seqs).map(itemOf));
      this.#restarts = 0;
    });
    for (const line of message.debug) this.host.debug(line);
  }

  /** Over a lane's bounds before the hand-over (a loop records without yielding): the oldest go, as there. */
  #trim(lane: WorkerLane): void {
    const { waiting } = lane;
    if (!overBounds(waiting, this.init.host)) return;
    const bit = 1 << lane.index;
    const dropped: QueuedItem[] = [];
    while (waiting.from < this.#outbox.length && overBounds(waiting, this.init.host)) {
      const held = this.#outbox[waiting.from++]!;
      if ((held.lanes & bit) === 0) continue;
      waiting.turns--;
      waiting.bytes -= held.bytes;
      waiting.pins.release(held.item);
      dropped.push(this.#settle(lane, held.seq)!);
    }
    if (dropped.length > 0) this.#dropped(lane, 'queue_full', dropped, undefined, true);
  }

  /** `lane` is done with item `seq`: the item, unless it was not held for that lane. */
  #settle(lane: WorkerLane, seq: number): Held | undefined {
    const held = this.#held.get(seq);
    const bit = 1 << lane.index;
    if (held === undefined || (held.lanes & bit) === 0) return undefined;
    held.lanes &= ~bit;
    lane.pending--;
    lane.bytes -= held.bytes;
    this.host.queued?.release(held.item, held.bytes);
    if (held.lanes === 0) this.#held.delete(seq);
    return held;
  }

  #settleAll(lane: WorkerLane, seqs: Iterable<number>): QueuedItem[] {
    return [...seqs].map((seq) => this.#settle(lane, seq)).filter((held) => held !== undefined);
  }

  /** `lane` gave `items` up; `count`: the worker never counted them. */
  #dropped(lane: WorkerLane, reason: DropReason, items: QueuedItem[], error: unknown, count: boolean): void {
    if (count) for (const { item } of items) lane.countDrop(item, reason);
    // As a lane does: a turn dropped from memory for room stays in the spool, for the next start.
    if (reason !== 'queue_full' && items.length > 0) this.host.gaveUp?.(lane, items.map(itemOf));
    this.reporter.dropped(lane, reason, items, error);
  }

  /** The worker ended: a new one is sent everything not acknowledged, and the flushes waiting. */
  #restart(code: number): void {
    this.#worker = undefined;
    // Ended while stopping: what it had not reported stays pending (a spool keeps it for the next start).
    if (this.#stopped || this.#stopping !== undefined) return;
    for (const lane of this.lanes) lane.workerEnded();
    if (++this.#restarts > MAX_RESTARTS) {
      live.delete(this);
      const why = `the delivery worker ended (exit code ${code}) ${MAX_RESTARTS} times in a row`;
      this.#dropAll(new Error(why));
      for (const flush of this.#flushes.values()) flush.done();
      return;
    }
    this.host.debug(
      `the delivery worker ended (exit code ${code}); starting another, which is sent the ${this.#held.size} item(s) not acknowledged`,
    );
    this.#mirrors = new WeakMap();
    this.#start();
    this.#outbox = [...this.#held.values()];
    for (const lane of this.lanes) lane.waiting = waitingFor(lane.pending, lane.bytes);
    this.#resent = this.#seq;
    this.#post();
    // Ref'd still if flushes wait (see #start).
    for (const [id, { deadline }] of this.#flushes) this.#worker!.postMessage({ t: 'flush', id, deadline });
  }

  /** Every lane drops what it holds of `seqs` (default: all) as `internal_error`, counted here. */
  #dropAll(error: unknown, seqs?: readonly number[]): void {
    if (seqs === undefined) this.#outbox = []; // given up: nothing is handed over (pendingItems reads #held)
    for (const lane of this.lanes) {
      if (seqs === undefined) lane.waiting = waitingFor();
      const items = this.#settleAll(lane, seqs ?? this.#held.keys());
      if (items.length > 0) this.#dropped(lane, 'internal_error', items, error, true);
    }
  }
}

/** Not a closure in `#trim`: that would cost a context on every `add`, twice per turn. */
const overBounds = ({ turns, bytes, pins }: WorkerLane['waiting'], host: WorkerInit['host']) =>
  turns > host.maxQueueTurns || bytes + pins.bytes > host.maxQueueBytes;

/** Resolves once the worker answers `stop` (after reporting), ends, or it is late; ref'd: beforeExit waits. */
async function awaitStop(worker: Worker | undefined, graceMs: number): Promise<void> {
  if (worker === undefined) return;
  const answered = new Promise((resolve) => {
    worker.on('message', (message: FromWorker) => {
      if (message.t === 'stopped') resolve(undefined);
    });
    worker.on('exit', resolve);
  });
  worker.ref();
  worker.postMessage({ t: 'stop', graceMs });
  await within(answered, 2 * graceMs + STOP_MARGIN_MS);
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

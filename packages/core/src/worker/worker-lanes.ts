import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import type { Transport } from '../http/transport';
import { DeliveryLane } from '../pipeline/delivery-lane';
import type { LaneHost } from '../pipeline/lane-host';
import { LaneScheduler } from '../pipeline/lane-scheduler';
import { stopLanes } from '../pipeline/stop-lanes';
import type { FromWorker, LaneEvent, ToWorker, WireItem, WorkerInit } from '../pipeline/worker-protocol';
import { toWireError } from '../pipeline/worker-protocol';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { TurnMessage } from '../spec/turn';

/** The worker's lanes, built again from their specs; it reports once per turn of its event loop. */
export class WorkerLanes {
  readonly #lanes: DeliveryLane[] = [];
  readonly #scheduler: LaneScheduler;
  readonly #post: (message: FromWorker) => void;
  readonly #flushAt: number;
  /** The thread arrays of turn items, by the id the app's thread gave them. */
  readonly #mirrors = new Map<number, TurnMessage[]>();
  readonly #seqs = new WeakMap<DeliveryItem, number>();
  #sent: number[][];
  #events: LaneEvent[] = [];
  #debug: string[] = [];
  #reportScheduled = false;
  /** The lanes' `LaneHost.signal`: fired by a graceful stop (the app's thread ends the worker otherwise). */
  readonly #stopping = new AbortController();

  /** `transport`: what each destination sends with here, undefined for the global `fetch` (see worker-main.ts). */
  constructor(init: WorkerInit, post: (message: FromWorker) => void, transport: () => Transport | undefined) {
    const { flushAt, timeoutMs } = init.host;
    this.#post = post;
    this.#flushAt = flushAt;
    this.#sent = init.specs.map(() => []);
    const note = init.debug ? (message: string) => this.#note(message) : () => {};
    this.#scheduler = new LaneScheduler(this.#lanes, init.flushIntervalMs, timeoutMs, undefined, note);
    const host: LaneHost = {
      ...init.host,
      signal: this.#stopping.signal,
      debug: note,
      waiting: () => this.#scheduler.armTimer(),
      dropped: (lane, reason, items, error) => {
        const seqs = items.map((queued) => this.#seqs.get(queued.item) ?? -1);
        this.#event(lane, 'dropped', error, { reason, seqs });
      },
      failed: (lane, error) => this.#event(lane, 'failed', error),
      retrying: (lane, error) => this.#event(lane, 'retrying', error),
      notResent: (lane, error) => this.#event(lane, 'notResent', error),
      // Tells the app's thread which items were delivered (drops come through `dropped`).
      settled: (lane, items, outcomes) => {
        const sent = this.#sent[this.#lanes.indexOf(lane as DeliveryLane)];
        if (outcomes === undefined || sent === undefined) return;
        items.forEach((item, i) => {
          if (outcomes[i]?.status === 'sent') sent.push(this.#seqs.get(item)!);
        });
        this.#scheduleReport();
      },
    };
    for (const spec of init.specs) {
      const sender = transport();
      note(
        `${spec.kind}: sending through ${sender === undefined ? 'the global fetch (undici not found: npm i undici)' : 'undiciTransport()'}`,
      );
      const options = sender === undefined ? spec.options : { ...spec.options, transport: sender };
      this.#lanes.push(new DeliveryLane(spec.kind === 'mielto' ? mielto(options) : melodi(options), host));
    }
  }

  receive(message: ToWorker): void {
    if (message.t === 'items') this.#enqueue(message.items);
    else if (message.t === 'flush') {
      const drained = () => Promise.all(this.#lanes.map((lane) => lane.drain(message.deadline)));
      void this.#answer(drained, { t: 'flushed', id: message.id });
    } else if (message.t === 'stop') {
      this.#scheduler.stop();
      void this.#answer(() => stopLanes(this.#lanes, this.#stopping, message.graceMs), { t: 'stopped' });
    } else for (const id of message.mirrors) this.#mirrors.delete(id);
  }

  /** `answer` once `work` settled, after a report of what it did (a stop's outcomes, say). */
  async #answer(work: () => Promise<unknown>, answer: FromWorker): Promise<void> {
    try {
      await work();
    } finally {
      this.#report();
      this.#post(answer);
    }
  }

  #enqueue(items: readonly WireItem[]): void {
    let full = false;
    for (const wire of items) {
      const item = this.#decode(wire);
      this.#seqs.set(item, wire.seq);
      this.#lanes.forEach((lane, index) => {
        if ((wire.lanes & (1 << index)) === 0) return;
        lane.enqueue(item, wire.bytes);
        if (lane.queueLength >= this.#flushAt) full = true;
      });
    }
    this.#scheduler.queued(full);
  }

  /** A turn item with its thread: the worker's copy of the thread array, extended by what came with it. */
  #decode({ item, mirror, have = 0, head = [], own = 0 }: WireItem): DeliveryItem {
    if (mirror === undefined || item.type !== 'turn') return item;
    const thread = this.#mirrors.get(mirror) ?? [];
    this.#mirrors.set(mirror, thread);
    if (thread.length > have) thread.length = have;
    for (const message of head) thread.push(message);
    const { turn, start = 0 } = item;
    for (let k = 0; k < own && start + k <= thread.length; k++) thread[start + k] = turn.messages[k]!;
    return { type: 'turn', turn, thread, start };
  }

  #event(lane: DeliveryLane, kind: LaneEvent['kind'], error: unknown, rest?: Partial<LaneEvent>): void {
    this.#events.push({ lane: this.#lanes.indexOf(lane), kind, error: toWireError(error), ...rest });
    this.#scheduleReport();
  }

  #note(message: string): void {
    this.#debug.push(message);
    this.#scheduleReport();
  }

  #scheduleReport(): void {
    if (this.#reportScheduled) return;
    this.#reportScheduled = true;
    setImmediate(() => this.#report());
  }

  #report(): void {
    this.#reportScheduled = false;
    this.#post({
      t: 'report',
      sent: this.#sent,
      events: this.#events,
      stats: this.#lanes.map((lane) => lane.snapshot()),
      debug: this.#debug,
    });
    this.#sent = this.#sent.map(() => []);
    this.#events = [];
    this.#debug = [];
  }
}

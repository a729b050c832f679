// The delivery worker's entry: bundled on its own into one script (see tsup.config.ts) that the trail
// starts with `new Worker(source, { eval: true })`, so no file has to be found at run time. It builds the
// lanes again from their specs and reports what they did once per turn of its event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { melodi } from '../destinations/melodi-destination';
import { mielto } from '../destinations/mielto-destination';
import type { Transport } from '../http/transport';
import { quietly } from '../internal/quietly';
import { undiciTransport } from '../node/undici-transport';
import { DeliveryLane } from '../pipeline/delivery-lane';
import type { LaneHost } from '../pipeline/lane-host';
import { LaneScheduler } from '../pipeline/lane-scheduler';
import { stopLanes } from '../pipeline/stop-lanes';
import { messageFromWire, turnFromWire, type WireTurn } from '../pipeline/wire-turn';
import type { FromWorker, LaneEvent, ToWorker, WireItem, WorkerInit } from '../pipeline/worker-protocol';
import { toWireError } from '../pipeline/worker-protocol';
import type { DeliveryItem } from '../spec/chat-trail-destination';
import type { TurnMessage } from '../spec/turn';
import type { TurnHead } from '../thread/turn-delta';

const port = parentPort!;
const init = workerData as WorkerInit;

const lanes: DeliveryLane[] = [];
/** The thread arrays of turn items and their threads' last heads, by the id the app's thread gave them. */
const mirrors = new Map<number, { thread: TurnMessage[]; head: TurnHead }>();
const seqs = new WeakMap<DeliveryItem, number>();
let sent: number[][] = init.specs.map(() => []);
let events: LaneEvent[] = [];
let debug: string[] = [];
let reportScheduled = false;
/** The lanes' `LaneHost.signal`: fired by a graceful stop (the app's thread ends the worker otherwise). */
const stopping = new AbortController();
const scheduler = new LaneScheduler(lanes, init.flushIntervalMs, init.host.timeoutMs, undefined, note);
const host: LaneHost = {
  ...init.host,
  signal: stopping.signal,
  debug: note,
  waiting: () => scheduler.armTimer(),
  dropped: (lane, reason, items, error) =>
    event(lane, 'dropped', error, { reason, seqs: items.map((queued) => seqs.get(queued.item) ?? -1) }),
  failed: (lane, error) => event(lane, 'failed', error),
  retrying: (lane, error) => event(lane, 'retrying', error),
  notResent: (lane, error) => event(lane, 'notResent', error),
  // Tells the app's thread which items were delivered (drops come through `dropped`).
  delivered: (lane, items) => {
    const delivered = sent[lanes.indexOf(lane as DeliveryLane)];
    if (delivered === undefined) return;
    for (const item of items) delivered.push(seqs.get(item)!);
    scheduleReport();
  },
};
for (const spec of init.specs) {
  const sender = transport();
  note(
    `${spec.kind}: sending through ${sender === undefined ? 'the global fetch (undici not found: npm i undici)' : 'undiciTransport()'}`,
  );
  const options = sender === undefined ? spec.options : { ...spec.options, transport: sender };
  lanes.push(new DeliveryLane(spec.kind === 'mielto' ? mielto(options) : melodi(options), host));
}

port.on('message', (message: ToWorker) => {
  if (message.t === 'items') enqueue(JSON.parse(message.json) as (WireItem | WireTurn)[]);
  else if (message.t === 'flush') {
    const drained = () => Promise.all(lanes.map((lane) => lane.drain(message.deadline)));
    void answer(drained, { t: 'flushed', id: message.id });
  } else if (message.t === 'stop') {
    scheduler.stop();
    void answer(() => stopLanes(lanes, stopping, message.graceMs), { t: 'stopped' });
  } else for (const id of message.mirrors) mirrors.delete(id);
});

/** undiciTransport() from the first of `undiciFrom` it loads from (bundle-worker.mjs), else global fetch. */
function transport(): Transport | undefined {
  const global = globalThis as { __chattrailUndiciFrom?: string };
  for (const from of init.undiciFrom) {
    global.__chattrailUndiciFrom = from;
    const found = quietly(undiciTransport);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `answer` once `work` settled, after a report of what it did (a stop's outcomes, say). */
async function answer(work: () => Promise<unknown>, message: FromWorker): Promise<void> {
  try {
    await work();
  } finally {
    report();
    port.postMessage(message);
  }
}

function enqueue(items: (WireItem | WireTurn)[]): void {
  let full = false;
  for (const wire of items) {
    const [seq, bits, bytes, item, threadBytes] = Array.isArray(wire)
      ? [wire[0], wire[1], wire[2], decode(wire), wire[14]]
      : [wire.seq, wire.lanes, wire.bytes, wire.item, 0];
    seqs.set(item, seq);
    lanes.forEach((lane, index) => {
      if ((bits & (1 << index)) === 0) return;
      lane.enqueue(item, bytes, threadBytes);
      if (lane.queueLength >= init.host.flushAt) full = true;
    });
  }
  scheduler.queued(full);
}

/** A turn item with its thread: the worker's copy of the thread array, extended by what came with it. */
function decode(wire: WireTurn): DeliveryItem {
  const [, , , id, have, own, start, head, , , , , prefix] = wire;
  if (id === 0) return { type: 'turn', turn: turnFromWire(wire, head as TurnHead) };
  const mirror = mirrors.get(id) ?? { thread: [], head: head as TurnHead };
  mirrors.set(id, mirror);
  if (head !== 0) mirror.head = head;
  const turn = turnFromWire(wire, mirror.head);
  const { thread } = mirror;
  if (thread.length > have) thread.length = have;
  if (prefix !== 0) for (const message of prefix) thread.push(messageFromWire(message));
  for (let k = 0; k < own && start + k <= thread.length; k++) thread[start + k] = turn.messages[k]!;
  return { type: 'turn', turn, thread, start };
}

function event(lane: DeliveryLane, kind: LaneEvent['kind'], error: unknown, rest?: Partial<LaneEvent>): void {
  events.push({ lane: lanes.indexOf(lane), kind, error: toWireError(error), ...rest });
  scheduleReport();
}

function note(message: string): void {
  if (!init.debug) return;
  debug.push(message);
  scheduleReport();
}

function scheduleReport(): void {
  if (reportScheduled) return;
  reportScheduled = true;
  setImmediate(report);
}

function report(): void {
  reportScheduled = false;
  const stats = lanes.map((lane) => lane.snapshot());
  const pins = lanes.map((lane) => lane.pins.bytes);
  port.postMessage({ t: 'report', sent, events, stats, pins, debug } satisfies FromWorker);
  sent = sent.map(() => []);
  events = [];
  debug = [];
}

// Cost of trail.record(): time per call and memory per call, for a 10- and a 100-message turn, next to
// structuredClone(turn) of the same turn as a baseline (the cheapest generic way to take a private copy).
// Run with --expose-gc (bench/run.mjs does). Usage: node --expose-gc bench/record-cost.mjs
import { PerformanceObserver } from 'node:perf_hooks';
import { createChatTrail } from '../dist/index.js';
import { makeTurn, median, neverCompletes, report } from './bench-kit.mjs';

const SAMPLES = 21;
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with --expose-gc');

let gcEvents = 0;
new PerformanceObserver((list) => {
  gcEvents += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A trail that queues everything: send never completes and the bounds are above what a sample records. */
const freshTrail = (n) =>
  createChatTrail({
    destinations: [neverCompletes],
    maxQueueTurns: n + 1,
    maxQueueBytes: 1e12,
    flushAt: 1e9,
  });

/**
 * ns per call: median of SAMPLES runs of `n` calls, each run on fresh state (copies retained, as a queue
 * does). Two clocks: wall time, and the process's CPU time (`process.cpuUsage`, all threads, GC helpers
 * included), which does not count time the OS gave to other processes — on a shared machine wall time
 * mostly measures the neighbours.
 */
function timeRuns(n, runOnce) {
  const perOp = [];
  const cpuPerOp = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    const state = runOnce.setup();
    const cpuStart = process.cpuUsage();
    const started = process.hrtime.bigint();
    runOnce.loop(state, n);
    perOp.push(Number(process.hrtime.bigint() - started) / n);
    const cpu = process.cpuUsage(cpuStart);
    cpuPerOp.push(((cpu.user + cpu.system) * 1000) / n);
  }
  const mean = perOp.reduce((sum, value) => sum + value, 0) / perOp.length;
  return {
    median: median(perOp),
    mean,
    min: Math.min(...perOp),
    max: Math.max(...perOp),
    cpuMedian: median(cpuPerOp),
  };
}

/** Bytes per call from heapUsed: allocated (no GC in between, checked) and retained (after a full GC). */
async function memoryPerCall(n, runOnce) {
  const state = runOnce.setup();
  await settle();
  gc();
  gc();
  await settle(); // the observer reports those two collections asynchronously; count none of them
  const eventsBefore = gcEvents;
  const before = process.memoryUsage().heapUsed;
  runOnce.loop(state, n);
  const afterLoop = process.memoryUsage().heapUsed;
  await settle(); // let the observer deliver GC entries of the loop, if any
  const gcDuringLoop = gcEvents - eventsBefore;
  gc();
  gc();
  const retained = process.memoryUsage().heapUsed;
  runOnce.keep?.(state);
  return {
    allocatedBytesPerCall: Math.round((afterLoop - before) / n),
    retainedBytesPerCall: Math.round((retained - before) / n),
    gcDuringLoop,
  };
}

const results = [];
for (const messages of [10, 100]) {
  const turn = makeTurn(messages);
  const n = messages === 10 ? 5_000 : 1_000;
  // The first turn the trail sees of each thread: every message is normalised. The turn is the same
  // object but for its thread id, so its messages are hot in the CPU cache, as they are when an adapter
  // has just built the turn (pre-built distinct turns would measure cache misses of the benchmark's making).
  const threadIds = Array.from({ length: n }, (_, i) => `bench-thread-${i}`);
  const record = {
    setup: () => freshTrail(n),
    loop: (trail, count) => {
      for (let i = 0; i < count; i++) trail.record({ ...turn, threadId: threadIds[i] });
    },
    keep: (trail) => trail.stats(),
  };
  // The next turn of a known thread resending the same history, as equal but distinct message objects
  // (what an adapter parsing each request body hands over; their making is included, ~spread copy below):
  // the trail reuses its copies of those messages.
  const recordResent = {
    setup: () => {
      const trail = freshTrail(n + 1);
      trail.record(turn);
      return trail;
    },
    loop: (trail, count) => {
      for (let i = 0; i < count; i++)
        trail.record({ ...turn, messages: turn.messages.map((m) => ({ ...m })) });
    },
    keep: (trail) => trail.stats(),
  };
  const clone = {
    setup: () => [],
    loop: (kept, count) => {
      for (let i = 0; i < count; i++) kept.push(structuredClone(turn));
    },
    keep: (kept) => kept.length,
  };
  // A second, tougher baseline: the cheapest hand-written private copy (spread of the turn and each message).
  const spread = {
    setup: () => [],
    loop: (kept, count) => {
      for (let i = 0; i < count; i++) kept.push({ ...turn, messages: turn.messages.map((m) => ({ ...m })) });
    },
    keep: (kept) => kept.length,
  };
  // Warm-up: let V8 optimise both paths before anything is measured.
  timeRuns(n, record);
  timeRuns(n, recordResent);
  timeRuns(n, clone);
  timeRuns(n, spread);

  const recordTime = timeRuns(n, record);
  const resentTime = timeRuns(n, recordResent);
  const cloneTime = timeRuns(n, clone);
  const spreadTime = timeRuns(n, spread);

  // Steady state of an outage: the queue sits at its bound (10,000 turns), so every call also drops the oldest.
  const full = createChatTrail({ destinations: [neverCompletes], flushAt: 1e9, onError: () => {} });
  for (let i = 0; i < 10_000; i++) full.record(turn);
  const atBound = timeRuns(n, { setup: () => full, loop: record.loop });

  const smallN = Math.min(n, 1_000);
  const recordMemory = await memoryPerCall(smallN, record);
  const resentMemory = await memoryPerCall(smallN, recordResent);
  const cloneMemory = await memoryPerCall(smallN, clone);
  const row = {
    messages,
    callsPerSample: n,
    samples: SAMPLES,
    recordNsPerCall: Math.round(recordTime.median),
    recordCpuNsPerCall: Math.round(recordTime.cpuMedian),
    structuredCloneCpuNsPerCall: Math.round(cloneTime.cpuMedian),
    recordNsMean: Math.round(recordTime.mean),
    recordNsRange: [Math.round(recordTime.min), Math.round(recordTime.max)],
    resentHistoryNsPerCall: Math.round(resentTime.median),
    resentHistoryCpuNsPerCall: Math.round(resentTime.cpuMedian),
    recordAtQueueBoundNsPerCall: Math.round(atBound.median),
    structuredCloneNsPerCall: Math.round(cloneTime.median),
    ratioToStructuredClone: Number((recordTime.median / cloneTime.median).toFixed(2)),
    spreadCopyNsPerCall: Math.round(spreadTime.median),
    ratioToSpreadCopy: Number((recordTime.median / spreadTime.median).toFixed(2)),
    record: recordMemory,
    resentHistory: resentMemory,
    structuredClone: cloneMemory,
  };
  results.push(row);
  console.log(
    `record() ${messages} messages, new thread: median ${row.recordNsPerCall} ns/call wall, ${row.recordCpuNsPerCall} ns CPU (mean ${row.recordNsMean}, min ${row.recordNsRange[0]}, max ${row.recordNsRange[1]}; at the queue bound ${row.recordAtQueueBoundNsPerCall}) · structuredClone ${row.structuredCloneNsPerCall} ns (ratio ${row.ratioToStructuredClone}) · spread copy ${row.spreadCopyNsPerCall} ns (ratio ${row.ratioToSpreadCopy})`,
  );
  console.log(
    `  the same history resent by the next turn of the thread: ${row.resentHistoryNsPerCall} ns/call wall, ${row.resentHistoryCpuNsPerCall} ns CPU; ${resentMemory.allocatedBytesPerCall} B allocated / ${resentMemory.retainedBytesPerCall} B retained per call`,
  );
  console.log(
    `  memory: record ${recordMemory.allocatedBytesPerCall} B allocated / ${recordMemory.retainedBytesPerCall} B retained per call (GCs during loop: ${recordMemory.gcDuringLoop}); structuredClone ${cloneMemory.allocatedBytesPerCall} / ${cloneMemory.retainedBytesPerCall} B (GCs: ${cloneMemory.gcDuringLoop})`,
  );
}
report({ recordCost: results });
process.exit(0);

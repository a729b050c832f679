// What the app feels of the trail at a moderate, steady rate: its main thread's CPU per turn and how late
// its event loop runs, side by side with the same app recording into nothing. Three modes, each in its own
// process, run twice in turn (none, instant, devserver, none, ...), medians reported:
// - none: the app alone (bench-kit's chatWorkload, 200 threads of 100 turns, made at `rate` turns/s by the
//   clock, as delivery-sustained.mjs does), record() a no-op: the baseline;
// - instant: a trail with two destinations that answer every batch at once, in process: record(), the
//   queues and the batching, no serialisation or HTTP;
// - devserver: the trail delivering to Mielto and Melodi on the devserver (its own process, loopback) with
//   undiciTransport(): everything, inline (`delivery: 'inline'`);
// - worker: the same destinations delivering from the trail's worker thread (`delivery: 'worker'`, no
//   transport given: a destination given a function delivers inline; the worker takes undiciTransport()
//   itself): the main thread records and hands the deltas over, the worker does the rest;
// - worker-nice<n> (not in the default set): the same with the worker's thread set n steps below the app's
//   priority from outside (bench-kit's deliveryWorkerThread()); see BENCHMARKS.md, "The worker's priority".
// `--backend-nice 10` starts the devserver under `nice -n 10`, `--backend-nice idle` under SCHED_IDLE
// (`chrt --idle 0`: it runs only on a CPU nothing else wants): the backend is no part of the host app (in a
// deployment it runs on other machines), so on a small box this keeps its CPU from counting against the app.
// At nice 10 it still holds a CPU for a while when the app's thread wakes; idle is the closer stand-in for
// another machine (BENCHMARKS.md, "The event loop beside the worker").
// `--warmup s` (default 4): each process first runs the workload that long unmeasured, so the figures are
// the steady state, not V8 compiling the code on its helper threads (`--warmup 0`: from the first turn).
// `--modes none,worker,...` and `--rounds n` pick the modes and how many times each runs, in turn.
// With 200 threads at 2,000 turns/s each thread takes ten turns a second, so a batch (at most one per
// minBatchIntervalMs, 500 ms) holds about five of each thread's turns, which share its requests. A real
// app's threads take a turn every few seconds: `threads` 2000 gives each one turn a second, a batch then
// holds one turn of most threads, and each turn costs about a request per destination.
// Beside CPU and lateness each run reports how long the app's thread waited, ready, for a CPU (Linux).
// Usage: node bench/host-impact.mjs [rate] [seconds] [threads] [--modes a,b] [--rounds n]
//   [--backend-nice n|idle] [--warmup s]
// (one mode: ... --mode <mode>)
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createChatTrail } from '../dist/index.js';
import {
  chatWorkload,
  deliveryDestinations,
  deliveryWorkerThread,
  eventLoopLateness,
  median,
  report,
  startDevServerChild,
  transportFromFlags,
} from './bench-kit.mjs';
import { runForResult } from './run-for-result.mjs';

const RATE = Number(process.argv[2] ?? 2_000);
const SECONDS = Number(process.argv[3] ?? 6);
const THREADS = Number(process.argv[4] ?? 200);
const flag = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
};
const modeAt = process.argv.indexOf('--mode');
const ALL_MODES = ['none', 'instant', 'devserver', 'worker'];
const niceSteps = (mode) => /^worker-nice(\d+)$/.exec(mode)?.[1];
const MODES = flag('--modes', 'none,instant,devserver,worker').split(',');
const ROUNDS = Number(flag('--rounds', 2));
const WARMUP = Number(flag('--warmup', 4));
const BACKEND_NICE = flag('--backend-nice', '0') === 'idle' ? 'idle' : Number(flag('--backend-nice', 0));
const backendLabel =
  BACKEND_NICE === 'idle'
    ? '; the devserver at SCHED_IDLE'
    : BACKEND_NICE > 0
      ? `; the devserver at nice ${BACKEND_NICE}`
      : '';

if (modeAt === -1) {
  const runs = Object.fromEntries(MODES.map((mode) => [mode, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      const run = await child(mode);
      runs[mode].push(run);
      console.log(
        `  ${mode}: p99 ${run.loopDelayP99Ms.toFixed(1)} ms, main ${run.mainThreadMicrosPerTurn} µs/turn (waited ${run.mainThreadWaitMs} ms), worker ${run.workerMicrosPerTurn ?? '-'} µs/turn (nice ${run.workerNice ?? '-'}), backend ${run.backendMicrosPerTurn ?? '-'} µs/turn, load ${run.loadAverage}`,
      );
    }
  }
  const med = (mode, key) => Math.round(median(runs[mode].map((run) => run[key])) * 1000) / 1000;
  const summary = Object.fromEntries(
    MODES.map((mode) => [
      mode,
      {
        mainThreadMicrosPerTurn: med(mode, 'mainThreadMicrosPerTurn'),
        mainThreadShare: med(mode, 'mainThreadShare'),
        mainThreadWaitMs: med(mode, 'mainThreadWaitMs'),
        loopDelayP99Ms: med(mode, 'loopDelayP99Ms'),
        loopDelayMaxMs: med(mode, 'loopDelayMaxMs'),
        gcMaxMs: med(mode, 'gcMaxMs'),
        workerMicrosPerTurn:
          runs[mode][0].workerMicrosPerTurn === undefined ? undefined : med(mode, 'workerMicrosPerTurn'),
        dropped: Math.max(...runs[mode].map((run) => run.dropped)),
      },
    ]),
  );
  const line = (mode, label) => {
    const s = summary[mode];
    return `  ${label.padEnd(26)} main thread ${Math.round(s.mainThreadMicrosPerTurn)} µs/turn (${Math.round(s.mainThreadShare * 100)}% busy); event loop late by ${s.loopDelayP99Ms.toFixed(1)} ms at p99, ${s.loopDelayMaxMs.toFixed(1)} ms at most; longest GC pause ${s.gcMaxMs.toFixed(1)} ms; waited ${s.mainThreadWaitMs} ms for a CPU; ${s.dropped} dropped`;
  };
  console.log(
    `host impact at ${RATE} turns/s for ${SECONDS} s (${THREADS} threads of 100 turns; medians of ${ROUNDS} runs each; the event loop sampled every 5 ms; after ${WARMUP} s unmeasured${backendLabel}):`,
  );
  const LABELS = {
    none: 'the app alone:',
    instant: 'trail, instant backends:',
    devserver: 'trail → devserver, inline:',
    worker: 'trail → devserver, worker:',
    'worker-nice0': 'worker at the app priority:',
  };
  for (const mode of MODES) console.log(line(mode, LABELS[mode] ?? `worker, nice +${niceSteps(mode)}:`));
  if (summary.none !== undefined) {
    const added = (mode) =>
      Math.round(summary[mode].mainThreadMicrosPerTurn - summary.none.mainThreadMicrosPerTurn);
    console.log(
      `  main-thread CPU the trail adds per turn: ${MODES.filter((mode) => mode !== 'none')
        .map((mode) => `${mode} ${added(mode)} µs`)
        .join(', ')}`,
    );
  }
  report({
    hostImpact: {
      rate: RATE,
      seconds: SECONDS,
      threads: THREADS,
      backendNice: BACKEND_NICE,
      ...summary,
      runs,
    },
  });
  process.exit(0);
}

/** Runs one mode in a process of its own and resolves with what it measured. */
async function child(mode) {
  const args = [
    String(RATE),
    String(SECONDS),
    String(THREADS),
    '--mode',
    mode,
    '--backend-nice',
    String(BACKEND_NICE),
    '--warmup',
    String(WARMUP),
  ];
  return (await runForResult(fileURLToPath(import.meta.url), args, { echo: false })).mode;
}

const mode = process.argv[modeAt + 1];
if (!ALL_MODES.includes(mode) && niceSteps(mode) === undefined)
  throw new Error(`--mode: one of ${ALL_MODES.join(', ')}, worker-nice<n>`);
const inWorker = mode === 'worker' || niceSteps(mode) !== undefined;
/** Answers every batch at once: what the trail costs before any serialisation or I/O. */
const instant = (name) => ({
  name,
  send: async (items) => items.map(() => ({ status: 'sent', messages: 0 })),
});
const server =
  mode === 'devserver' || inWorker ? await startDevServerChild({ nice: BACKEND_NICE }) : undefined;
const transportFor = await transportFromFlags(['undici']);
const trail =
  mode === 'none'
    ? undefined
    : createChatTrail({
        destinations:
          mode === 'instant'
            ? [instant('mielto'), instant('melodi')]
            : deliveryDestinations(server, 'both', inWorker ? undefined : transportFor),
        delivery: inWorker ? 'worker' : 'inline',
        onError: (error) => console.error(error.message),
      });
const worker = inWorker ? await deliveryWorkerThread() : undefined;
if (niceSteps(mode) !== undefined) worker.niceBelowApp(Number(niceSteps(mode)));
const workerCpu = () => worker?.cpuSeconds() ?? 0;
const workload = chatWorkload(THREADS, { turnsPerThread: 100 });
let produced = 0;
let sink = 0;
/** As delivery-sustained.mjs: `turns` more turns, those due by the clock, then a millisecond's sleep. */
async function produce(turns) {
  const from = produced;
  const started = performance.now();
  while (produced < from + turns) {
    const due = from + Math.min(turns, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (produced < due) {
      const turn = workload.turn(produced++);
      if (trail) trail.record(turn);
      else sink += turn.messages.length; // the turn is made and looked at, as record() would
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
// The warm-up is not measured: V8 compiles the trail's code, the worker's and undici's on its helper threads
// for the first seconds (tens of ms of CPU a second on a 2-core box), a cost an app pays once, not per turn.
await produce(RATE * WARMUP);

let gcMaxMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
});
gcObserver.observe({ entryTypes: ['gc'] });
const loopLateness = eventLoopLateness(5);
const TURNS = RATE * SECONDS;
const threadCpuStart = process.threadCpuUsage();
const workerCpuStart = workerCpu();
const backendCpuStart = server?.cpuSeconds();
const waitStart = runqueueWaitMs();
const started = performance.now();
await produce(TURNS);
const seconds = (performance.now() - started) / 1000;
const mainThreadWaitMs = runqueueWaitMs() - waitStart;
const cpu = process.threadCpuUsage(threadCpuStart);
const workerSeconds = workerCpu() - workerCpuStart;
const backendSeconds = server === undefined ? undefined : server.cpuSeconds() - backendCpuStart;
const workerNice = worker?.nice(); // now: the thread ends with the trail
const loopLate = loopLateness.stop();
gcObserver.disconnect();
let delivered = true;
let dropped = 0;
if (trail) {
  delivered = (await trail.flush({ timeoutMs: 60_000 })).ok;
  await trail.shutdown();
  dropped = Object.values(trail.stats().dropped).reduce((sum, n) => sum + n, 0);
}
await server?.close();
if (!delivered) throw new Error(`${mode}: not everything was delivered`);
report({
  mode: {
    mode,
    sink,
    mainThreadMicrosPerTurn: Math.round((cpu.user + cpu.system) / TURNS),
    mainThreadSystemMicrosPerTurn: Math.round(cpu.system / TURNS),
    mainThreadWaitMs: Math.round(mainThreadWaitMs),
    mainThreadShare: Number(((cpu.user + cpu.system) / 1e6 / seconds).toFixed(3)),
    loopDelayP99Ms: loopLate.p99Ms,
    loopDelayMaxMs: loopLate.maxMs,
    gcMaxMs: Math.round(gcMaxMs * 10) / 10,
    dropped,
    workerMicrosPerTurn: worker === undefined ? undefined : Math.round((workerSeconds * 1e6) / TURNS),
    workerNice,
    backendMicrosPerTurn:
      backendSeconds === undefined ? undefined : Math.round((backendSeconds * 1e6) / TURNS),
    loadAverage: Number(loadavg()[0].toFixed(1)),
  },
});
process.exit(0);

/** How long the main thread has waited for a CPU, ready to run (Linux's schedstat; 0 elsewhere). */
function runqueueWaitMs() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

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
// `--backend-nice 10` starts the devserver under `nice -n 10`: the backend is no part of the host app (in a
// deployment it runs on other machines), so on a small box this keeps its CPU from counting against the app.
// `--modes none,worker,...` and `--rounds n` pick the modes and how many times each runs, in turn.
// With 200 threads at 2,000 turns/s each thread takes ten turns a second, so a batch (at most one per
// minBatchIntervalMs, 500 ms) holds about five of each thread's turns, which share its requests. A real
// app's threads take a turn every few seconds: `threads` 2000 gives each one turn a second, a batch then
// holds one turn of most threads, and each turn costs about a request per destination.
// Usage: node bench/host-impact.mjs [rate] [seconds] [threads] [--modes a,b] [--rounds n] [--backend-nice n]
// (one mode: ... --mode <mode>)
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
const BACKEND_NICE = Number(flag('--backend-nice', 0));

if (modeAt === -1) {
  const runs = Object.fromEntries(MODES.map((mode) => [mode, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      const run = await child(mode);
      runs[mode].push(run);
      console.log(
        `  ${mode}: p99 ${run.loopDelayP99Ms.toFixed(1)} ms, main ${run.mainThreadMicrosPerTurn} µs/turn, worker ${run.workerMicrosPerTurn ?? '-'} µs/turn (nice ${run.workerNice ?? '-'}), load ${run.loadAverage}`,
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
    return `  ${label.padEnd(26)} main thread ${Math.round(s.mainThreadMicrosPerTurn)} µs/turn (${Math.round(s.mainThreadShare * 100)}% busy); event loop late by ${s.loopDelayP99Ms.toFixed(1)} ms at p99, ${s.loopDelayMaxMs.toFixed(1)} ms at most; longest GC pause ${s.gcMaxMs.toFixed(1)} ms; ${s.dropped} dropped`;
  };
  console.log(
    `host impact at ${RATE} turns/s for ${SECONDS} s (${THREADS} threads of 100 turns; medians of ${ROUNDS} runs each; the event loop sampled every 5 ms${BACKEND_NICE > 0 ? `; the devserver at nice ${BACKEND_NICE}` : ''}):`,
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
let gcMaxMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
});
gcObserver.observe({ entryTypes: ['gc'] });
const loopLateness = eventLoopLateness(5);

const TURNS = RATE * SECONDS;
let produced = 0;
let sink = 0;
const threadCpuStart = process.threadCpuUsage();
const workerCpuStart = workerCpu();
const started = performance.now();
// As delivery-sustained.mjs: the turns due by the clock, then a millisecond's sleep.
while (produced < TURNS) {
  const due = Math.min(TURNS, Math.floor(((performance.now() - started) / 1000) * RATE));
  while (produced < due) {
    const turn = workload.turn(produced++);
    if (trail) trail.record(turn);
    else sink += turn.messages.length; // the turn is made and looked at, as record() would
  }
  await new Promise((resolve) => setTimeout(resolve, 1));
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.threadCpuUsage(threadCpuStart);
const workerSeconds = workerCpu() - workerCpuStart;
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
    mainThreadShare: Number(((cpu.user + cpu.system) / 1e6 / seconds).toFixed(3)),
    loopDelayP99Ms: loopLate.p99Ms,
    loopDelayMaxMs: loopLate.maxMs,
    gcMaxMs: Math.round(gcMaxMs * 10) / 10,
    dropped,
    workerMicrosPerTurn: worker === undefined ? undefined : Math.round((workerSeconds * 1e6) / TURNS),
    workerNice,
    loadAverage: Number(loadavg()[0].toFixed(1)),
  },
});
process.exit(0);

// Sustained delivery at a fixed rate: the app records turns at exactly `rate` turns/s by the clock, for
// `seconds`, and the question is whether the trail keeps up with it for as long as it lasts. Where
// delivery-throughput.mjs drains a burst as fast as it can (which includes filling and emptying the
// pipeline: 200 conversations created at once, then a last batch), this is what "delivers N turns/s" means
// for a server under steady load.
//
// The chat is bench-kit's chatWorkload with thread churn: `threads` threads at a time, each ending after
// `turnsPerThread` turns and replaced by a new one (a new Mielto conversation, a new Melodi thread), their
// ends staggered. With the defaults (200 threads of 100 turns) the histories resent are as long on average
// as in delivery-throughput.mjs, and stay so however long the run: the cost of a turn does not drift.
//
// What decides "kept up": the backlog per destination (turns recorded but not yet delivered), sampled
// every 20 ms over the steady part of the run (after the first `warmSeconds`, while every slot's first,
// shorter thread ends). A trail that delivers µ turns/s under an offered λ > µ sees its backlog grow by
// λ − µ per second; one that keeps up sees it go up and down with each batch (a sawtooth), around a level.
// The least-squares slope of the backlog over the steady window is therefore reported, and the rate it
// implies (λ − slope) is the delivered rate's estimate. Where the window cuts the sawtooth moves that slope
// by up to about its height over the window's length: with batches of 3,000–7,000 turns and a 10 s window,
// a few hundred turns/s either way. So the trail kept up when nothing was dropped, every turn arrived, the
// backlog grew by less than 5% of the offered rate, and the last turns arrived within a second after the
// producer stopped (what was left was under a second of work).
//
// `worker`: the trail delivers from its worker thread (undiciTransport() there when undici is installed),
// else inline; `worker-nice<n>` sets the worker's thread n steps below the app's priority (Linux). `--backend-nice 10`: the devserver under `nice -n 10`.
// Usage: node bench/delivery-sustained.mjs [rate] [seconds] [threads] [turnsPerThread] [undici|legacy-http1|worker|worker-nice<n>] [--backend-nice n]
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import {
  chatWorkload,
  deliveryDestinations,
  deliveryTrail,
  deliveryWorkerThread,
  eventLoopLateness,
  report,
  startDevServerChild,
  transportFromFlags,
} from './bench-kit.mjs';

const RATE = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.argv[3] ?? 12);
const THREADS = Number(process.argv[4] ?? 200);
const TURNS_PER_THREAD = Number(process.argv[5] ?? 100);
const transportFor = await transportFromFlags(process.argv.slice(6));
const FLAGS = process.argv.slice(6);
const NICE_STEPS = FLAGS.map((flag) => /^worker-nice(\d+)$/.exec(flag)?.[1]).find(
  (steps) => steps !== undefined,
);
const DELIVERY = FLAGS.includes('worker') || NICE_STEPS !== undefined ? 'worker' : 'inline';
const backendNiceAt = FLAGS.indexOf('--backend-nice');
const BACKEND_NICE = backendNiceAt === -1 ? 0 : Number(FLAGS[backendNiceAt + 1]);
// Every slot's first thread ends within threads × turnsPerThread turns; after that the mix is steady.
const WARM_SECONDS = Math.min(SECONDS / 2, (THREADS * TURNS_PER_THREAD) / RATE);
const TURNS = Math.round(RATE * SECONDS);
// The backlog may grow by this share of the offered rate (the sawtooth's noise, above) and still count as
// kept up; and what is left when the producer stops must arrive within this long.
const GROWTH_TOLERANCE = 0.05;
const MAX_DRAIN_SECONDS = 1;

function round1(value) {
  return Math.round(value * 10) / 10;
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

const server = await startDevServerChild({ nice: BACKEND_NICE });
try {
  const destinations = deliveryDestinations(server, 'both', transportFor);
  const names = destinations.map((d) => d.name);
  const trail = deliveryTrail(destinations, DELIVERY);
  const worker = DELIVERY === 'worker' ? await deliveryWorkerThread() : undefined;
  if (NICE_STEPS !== undefined) worker?.niceBelowApp(Number(NICE_STEPS));
  const workload = chatWorkload(THREADS, { turnsPerThread: TURNS_PER_THREAD });

  // What the host app feels of the trail besides CPU: garbage collection pauses (the queued turns and what
  // the destinations keep are the heap a collection walks) and how late its event loop ran.
  const gcPauses = { minorMs: 0, minorMaxMs: 0, majorMs: 0, majorMaxMs: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // kind 1: scavenge (young generation); 2 and 4: mark-sweep-compact and incremental marking steps.
      const minor = entry.detail?.kind === 1;
      gcPauses[minor ? 'minorMs' : 'majorMs'] += entry.duration;
      const max = minor ? 'minorMaxMs' : 'majorMaxMs';
      gcPauses[max] = Math.max(gcPauses[max], entry.duration);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loopLateness = eventLoopLateness(10);

  let produced = 0;
  /** [seconds since start, backlog of each destination] */
  const samples = [];
  const serverCpuStart = server.cpuSeconds();
  const cpuStart = process.cpuUsage();
  // The main thread's own share (Node ≥ 23.9): the rest of the process CPU is V8's helper threads (GC).
  const threadCpuStart = process.threadCpuUsage?.();
  const started = performance.now();
  // Turns dropped by the end of the warm-up (its first seconds open 200 threads at once, all new).
  let droppedWarming;
  const sampler = setInterval(() => {
    const { destinations: byName, dropped: drops } = trail.stats();
    if (droppedWarming === undefined && (performance.now() - started) / 1000 >= WARM_SECONDS)
      droppedWarming = Object.values(drops).reduce((a, b) => a + b, 0);
    samples.push([(performance.now() - started) / 1000, names.map((name) => produced - byName[name].sent)]);
  }, 20);
  // Whatever the timers do, the turns due by the clock are recorded (catching up after a late wake-up),
  // so the offered rate is exact. Between rounds the producer sleeps a millisecond, as an app waits for
  // its next request: yielding with setImmediate instead kept the thread spinning, so its CPU time was
  // the whole run's whatever the trail did, and the spin took CPU the devserver could have used.
  while (produced < TURNS) {
    const due = Math.min(TURNS, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (produced < due) trail.record(workload.turn(produced++));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const producedSeconds = (performance.now() - started) / 1000;
  const flushed = await trail.flush({ timeoutMs: 120_000 });
  const drainSeconds = (performance.now() - started) / 1000 - producedSeconds;
  clearInterval(sampler);
  const loopLate = loopLateness.stop();
  gcObserver.disconnect();
  const cpu = process.cpuUsage(cpuStart);
  const threadCpu = threadCpuStart === undefined ? undefined : process.threadCpuUsage(threadCpuStart);
  const serverCpuEnd = server.cpuSeconds();
  const stats = trail.stats();
  const backend = await server.stats();
  const workerNice = worker?.nice(); // now: the thread ends with the trail
  await trail.shutdown();

  const steady = samples.filter(([at]) => at >= WARM_SECONDS && at <= producedSeconds);
  const offered = TURNS / producedSeconds;
  const perDestination = Object.fromEntries(
    names.map((name, i) => {
      const points = steady.map(([at, backlogs]) => [at, backlogs[i]]);
      const growth = slope(points);
      const d = stats.destinations[name];
      return [
        name,
        {
          backlogGrowthPerSecond: Math.round(growth),
          deliveredTurnsPerSecondEstimate: Math.round(Math.min(offered, offered - growth)),
          backlogMax: Math.max(0, ...points.map(([, backlog]) => backlog)),
          backlogMean: Math.round(
            points.reduce((sum, [, backlog]) => sum + backlog, 0) / (points.length || 1),
          ),
          sent: d.sent,
          requestsPer1000Turns: Number(((d.requests / TURNS) * 1000).toFixed(1)),
        },
      ];
    }),
  );
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
  const delivered = names.every((name) => stats.destinations[name].sent === TURNS);
  const keptUp =
    flushed.ok &&
    delivered &&
    dropped === 0 &&
    drainSeconds <= MAX_DRAIN_SECONDS &&
    Object.values(perDestination).every((d) => d.backlogGrowthPerSecond <= GROWTH_TOLERANCE * offered);
  const result = {
    offeredTurnsPerSecond: Math.round(offered),
    seconds: Number(producedSeconds.toFixed(2)),
    steadyFromSeconds: Number(WARM_SECONDS.toFixed(2)),
    turns: TURNS,
    threads: THREADS,
    turnsPerThread: TURNS_PER_THREAD,
    fetch: transportFor?.label ?? 'global',
    delivery: DELIVERY,
    keptUp,
    dropped,
    droppedWhileWarming: droppedWarming ?? dropped,
    drainMs: Math.round(drainSeconds * 1000),
    perDestination,
    cpu: {
      trailProcessMicrosPerTurn: Math.round((cpu.user + cpu.system) / TURNS),
      trailProcessShareOfCore: Number(
        ((cpu.user + cpu.system) / 1e6 / (producedSeconds + drainSeconds)).toFixed(2),
      ),
      mainThreadMicrosPerTurn:
        threadCpu === undefined ? null : Math.round((threadCpu.user + threadCpu.system) / TURNS),
      // How busy the event loop's thread was: near 1, it is what limits the rate.
      mainThreadShareOfWallTime:
        threadCpu === undefined
          ? null
          : Number(((threadCpu.user + threadCpu.system) / 1e6 / (producedSeconds + drainSeconds)).toFixed(2)),
      devserverMicrosPerTurn:
        serverCpuStart === undefined || serverCpuEnd === undefined
          ? null
          : Math.round(((serverCpuEnd - serverCpuStart) * 1e6) / TURNS),
    },
    // Milliseconds.
    hostPauses: {
      gcMinorMaxMs: round1(gcPauses.minorMaxMs),
      gcMajorMaxMs: round1(gcPauses.majorMaxMs),
      gcShareOfWallTime: Number(
        ((gcPauses.minorMs + gcPauses.majorMs) / 1000 / (producedSeconds + drainSeconds)).toFixed(3),
      ),
      eventLoopDelayP99Ms: loopLate.p99Ms,
      eventLoopDelayMaxMs: loopLate.maxMs,
    },
    // With CHATTRAIL_SPOOL_DIR set: what the spool wrote (bench/run.mjs runs it once so).
    spool:
      stats.spool === undefined
        ? null
        : {
            bytesPerTurn: Math.round(stats.spool.bytesWritten / TURNS),
            fsyncsPerSecond: Math.round(stats.spool.fsyncs / (producedSeconds + drainSeconds)),
            state: stats.spool.state,
          },
    devserver: {
      requests: backend.requests,
      conversations: backend.mielto.conversations,
      threads: backend.melodi.threads,
    },
  };
  console.log(
    `sustained delivery (${names.join(' + ')}${transportFor ? `, ${transportFor.label}` : ''}, ${DELIVERY}): ${result.offeredTurnsPerSecond} turns/s offered for ${result.seconds} s (${TURNS} turns; ${THREADS} threads at a time, ${TURNS_PER_THREAD} turns each, ${backend.melodi.threads} threads in all${workerNice === undefined ? '' : `; the worker at nice ${workerNice}`}${BACKEND_NICE > 0 ? `, the devserver at nice ${BACKEND_NICE}` : ''}; load ${loadavg()[0].toFixed(1)}) → ${keptUp ? 'KEPT UP' : 'FELL BEHIND'}; ${dropped} dropped (${result.droppedWhileWarming} of them in the first ${result.steadyFromSeconds} s); the last turns arrived ${result.drainMs} ms after the producer stopped`,
  );
  for (const [name, d] of Object.entries(perDestination)) {
    console.log(
      `  ${name}: backlog after ${result.steadyFromSeconds} s grew ${d.backlogGrowthPerSecond} turns/s (delivered ≈ ${d.deliveredTurnsPerSecondEstimate} turns/s), mean ${d.backlogMean}, max ${d.backlogMax}; ${d.requestsPer1000Turns} requests per 1,000 turns`,
    );
  }
  console.log(
    `  CPU: this process (producer + trail) ${result.cpu.trailProcessMicrosPerTurn} µs/turn, ${Math.round(result.cpu.trailProcessShareOfCore * 100)}% of one core${result.cpu.mainThreadMicrosPerTurn === null ? '' : ` (main thread ${result.cpu.mainThreadMicrosPerTurn} µs/turn, busy ${Math.round(result.cpu.mainThreadShareOfWallTime * 100)}% of the run)`}; devserver ${result.cpu.devserverMicrosPerTurn ?? 'n/a'} µs/turn`,
  );
  const pauses = result.hostPauses;
  console.log(
    `  pauses: longest GC ${pauses.gcMinorMaxMs} ms (young generation), ${pauses.gcMajorMaxMs} ms (full), ${(pauses.gcShareOfWallTime * 100).toFixed(1)}% of the run in GC; event loop late by ${pauses.eventLoopDelayP99Ms} ms at p99, ${pauses.eventLoopDelayMaxMs} ms at most`,
  );
  if (result.spool !== null)
    console.log(
      `  spool (${stats.spool.dir}): ${result.spool.bytesPerTurn} bytes written per turn, ${result.spool.fsyncsPerSecond} fsyncs/s, ${result.spool.state}`,
    );
  report({ sustained: result });
} finally {
  await server.close();
}
process.exit(0);

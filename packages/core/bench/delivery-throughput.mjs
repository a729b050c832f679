// Sustained delivery end to end: turns recorded as fast as the trail keeps up, delivered to a devserver
// running in its own process (one core) on loopback. 20,000 turns across 200 threads, each turn adding a
// user message and an answer to its thread and resending the whole history, as adapters do (bench-kit's
// chatWorkload; bench/delivery-replay.mjs is the baseline: the same requests sent by a bare client).
// With `sink` the backend is bench/sink-server.mjs, which accepts everything and does nothing: what the
// trail itself can deliver when the backend costs (almost) nothing. With `undici` the destinations use
// undiciTransport() from @chattrail/core/node instead of the global fetch (`legacy-http1`: the hand-written
// client it replaced, bench/legacy-http1-transport.mjs).
// Usage: node bench/delivery-throughput.mjs [turns] [threads] [mielto|melodi|both] [sink] [undici|legacy-http1]
import {
  chatWorkload,
  deliveryDestinations,
  deliveryTrail,
  paceProducer,
  report,
  startDevServerChild,
  transportFromFlags,
} from './bench-kit.mjs';

const TURNS = Number(process.argv[2] ?? 20_000);
const THREADS = Number(process.argv[3] ?? 200);
const only = process.argv[4] ?? 'both';
const sink = process.argv.slice(5).includes('sink');
const transportFor = await transportFromFlags(process.argv.slice(5));
const server = await startDevServerChild({ sink });
try {
  const destinations = deliveryDestinations(server, only, transportFor);
  const trail = deliveryTrail(destinations);

  // Where the CPU goes decides what limits the rate: this process (producer + trail) or the devserver.
  const serverCpuStart = server.cpuSeconds();
  const cpuStart = process.cpuUsage();
  // The main thread's own share (Node ≥ 23.9): the rest of the process CPU is V8's helper threads (GC).
  const threadCpuStart = process.threadCpuUsage?.();
  const workload = chatWorkload(THREADS);
  let recordNs = 0n;
  let produceNs = 0n;
  const started = performance.now();
  for (let n = 0; n < TURNS; n++) {
    const p0 = process.hrtime.bigint();
    const turn = workload.turn(n);
    const t0 = process.hrtime.bigint();
    produceNs += t0 - p0;
    trail.record(turn);
    recordNs += process.hrtime.bigint() - t0;
    if (n % THREADS === THREADS - 1) await paceProducer(trail, destinations.length);
  }
  const flushed = await trail.flush({ timeoutMs: 120_000 });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const threadCpu = threadCpuStart === undefined ? undefined : process.threadCpuUsage(threadCpuStart);
  const trailCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const serverCpuEnd = server.cpuSeconds();
  const serverCpuSeconds =
    serverCpuStart === undefined || serverCpuEnd === undefined ? undefined : serverCpuEnd - serverCpuStart;
  const stats = trail.stats();
  const backend = await server.stats();
  await trail.shutdown();

  const result = {
    destinations: destinations.map((d) => d.name),
    turns: TURNS,
    threads: THREADS,
    seconds: Number(seconds.toFixed(2)),
    flushOk: flushed.ok,
    turnsPerSecond: Math.round(TURNS / seconds),
    dropped: Object.values(stats.dropped).reduce((a, b) => a + b, 0),
    meanRecordMicros: Number((Number(recordNs) / TURNS / 1000).toFixed(2)),
    perDestination: Object.fromEntries(
      Object.entries(stats.destinations).map(([name, d]) => [
        name,
        {
          sent: d.sent,
          messages: d.sentMessages,
          messagesPerSecond: Math.round(d.sentMessages / seconds),
          requests: d.requests,
          requestsPer1000Turns: Number(((d.requests / TURNS) * 1000).toFixed(1)),
        },
      ]),
    ),
    cpu: {
      trailProcessMicrosPerTurn: Math.round((trailCpuSeconds * 1e6) / TURNS),
      // Building the turns (the app's work, not the trail's): wall time of that code, taken out of the
      // process CPU to give what record() and delivery cost per turn.
      producerMicrosPerTurn: Math.round(Number(produceNs) / TURNS / 1000),
      trailOnlyMicrosPerTurn: Math.round((trailCpuSeconds * 1e6 - Number(produceNs) / 1000) / TURNS),
      trailProcessShareOfCore: Number((trailCpuSeconds / seconds).toFixed(2)),
      // How busy the event loop's thread was: below 1, it waited on the devserver part of the time.
      mainThreadMicrosPerTurn:
        threadCpu === undefined ? null : Math.round((threadCpu.user + threadCpu.system) / TURNS),
      mainThreadShareOfWallTime:
        threadCpu === undefined
          ? null
          : Number(((threadCpu.user + threadCpu.system) / 1e6 / seconds).toFixed(2)),
      devserverMicrosPerTurn:
        serverCpuSeconds === undefined ? null : Math.round((serverCpuSeconds * 1e6) / TURNS),
      devserverShareOfCore:
        serverCpuSeconds === undefined ? null : Number((serverCpuSeconds / seconds).toFixed(2)),
    },
    backend: sink ? 'sink' : 'devserver',
    fetch: transportFor?.label ?? 'global',
    devserver:
      backend === undefined
        ? null
        : {
            requests: backend.requests,
            mieltoMessages: backend.mielto.messages,
            melodiThreads: backend.melodi.threads,
          },
  };
  console.log(
    `delivery (${result.destinations.join(' + ')}${sink ? ', to a do-nothing sink' : ''}${transportFor ? `, ${transportFor.label}` : ''}): ${TURNS} turns / ${THREADS} threads in ${result.seconds} s → ${result.turnsPerSecond} turns/s delivered to every destination (record() mean ${result.meanRecordMicros} µs with ${(2 * (TURNS / THREADS)) / 2} messages on average)`,
  );
  for (const [name, d] of Object.entries(result.perDestination)) {
    console.log(
      `  ${name}: ${d.sent} turns, ${d.messages} messages (${d.messagesPerSecond} messages/s), ${d.requests} requests = ${d.requestsPer1000Turns} per 1,000 turns`,
    );
  }
  const { cpu: c } = result;
  console.log(
    `  CPU: this process (producer + trail) ${c.trailProcessMicrosPerTurn} µs/turn (producer ${c.producerMicrosPerTurn}, trail ${c.trailOnlyMicrosPerTurn}), ${Math.round(c.trailProcessShareOfCore * 100)}% of one core${c.mainThreadMicrosPerTurn === null ? '' : ` (main thread ${c.mainThreadMicrosPerTurn} µs/turn, busy ${Math.round(c.mainThreadShareOfWallTime * 100)}% of the run)`}; ${sink ? 'sink' : 'devserver'} ${c.devserverMicrosPerTurn === null ? 'n/a' : `${c.devserverMicrosPerTurn} µs/turn, ${Math.round(c.devserverShareOfCore * 100)}% of one core`}`,
  );
  report({ delivery: result });
} finally {
  await server.close();
}
process.exit(0);

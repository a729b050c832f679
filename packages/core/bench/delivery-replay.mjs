// The baseline of the delivery benchmark: what bare HTTP of the same requests reaches on this machine,
// right now. A first, untimed pass sends the delivery benchmark's chat (bench-kit's chatWorkload) through a
// trail whose transport records every request; the timed pass then replays those exact requests (same method,
// URL, headers and body, same order) to the same devserver, straight through the transport of
// `undiciTransport()` (undici's dispatch() on keep-alive HTTP/1.1 connections, the cheapest client we have;
// the global `fetch` costs several times its CPU per request), as many in flight per destination as
// the destinations use (8), answers drained unread. No turn is built, recorded, queued, merged or
// serialised: the rate it reaches is what the devserver and loopback HTTP allow on this machine for this
// work. Its ratio to the trail's rate, measured side by side, is the trail's overhead.
//
// The replay goes to the devserver that took the recording pass (the Mielto conversation ids in the
// recorded requests are that devserver's): Mielto messages are appended a second time, Melodi threads are
// upserted again with the same messages (updated in place rather than appended), and the conversation
// look-ups and creations are repeated (creating duplicates). The work per request is the same; the
// devserver just holds more.
// Usage: node bench/delivery-replay.mjs [turns] [threads] [mielto|melodi|both]
import { undiciTransport } from '../dist/node.js';
import {
  chatWorkload,
  deliveryDestinations,
  deliveryTrail,
  paceProducer,
  report,
  startDevServerChild,
} from './bench-kit.mjs';

const TURNS = Number(process.argv[2] ?? 20_000);
const THREADS = Number(process.argv[3] ?? 200);
const only = process.argv[4] ?? 'both';
/** Requests in flight per destination: the destinations' default `concurrency`. */
const IN_FLIGHT = 8;

const server = await startDevServerChild();
try {
  const recorded = { mielto: [], melodi: [] };
  const recordingTransport = (lane) => {
    const send = undiciTransport();
    return (request) => {
      const { method, url, headers, body } = request;
      recorded[lane].push({ method, url, headers: { ...headers }, body });
      return send(request);
    };
  };
  // The same destinations, trail settings and pacing as bench/delivery-throughput.mjs, so the batches (and
  // so the requests) are alike.
  const destinations = deliveryDestinations(server, only, recordingTransport);
  const trail = deliveryTrail(destinations);
  const workload = chatWorkload(THREADS);
  for (let n = 0; n < TURNS; n++) {
    trail.record(workload.turn(n));
    if (n % THREADS === THREADS - 1) await paceProducer(trail, destinations.length);
  }
  const flushed = await trail.flush({ timeoutMs: 120_000 });
  await trail.shutdown();
  if (!flushed.ok) throw new Error('the recording pass did not deliver everything');

  const lanes = Object.entries(recorded).filter(([, requests]) => requests.length > 0);
  const serverCpuStart = server.cpuSeconds();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const outcomes = await Promise.all(lanes.map(([, requests]) => replay(requests)));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const serverCpuEnd = server.cpuSeconds();
  const serverCpuSeconds =
    serverCpuStart === undefined || serverCpuEnd === undefined ? undefined : serverCpuEnd - serverCpuStart;
  const failed = outcomes.reduce((sum, outcome) => sum + outcome.failed, 0);
  if (failed > 0) throw new Error(`${failed} replayed requests were not answered with a 2xx`);

  const result = {
    destinations: lanes.map(([lane]) => lane),
    turns: TURNS,
    threads: THREADS,
    seconds: Number(seconds.toFixed(2)),
    turnsPerSecond: Math.round(TURNS / seconds),
    perDestination: Object.fromEntries(
      lanes.map(([lane, requests]) => [
        lane,
        {
          requests: requests.length,
          requestsPer1000Turns: Number(((requests.length / TURNS) * 1000).toFixed(1)),
          requestBytes: requests.reduce((sum, request) => sum + Buffer.byteLength(request.body ?? ''), 0),
        },
      ]),
    ),
    cpu: {
      clientMicrosPerTurn: Math.round((cpu.user + cpu.system) / TURNS),
      devserverMicrosPerTurn:
        serverCpuSeconds === undefined ? null : Math.round((serverCpuSeconds * 1e6) / TURNS),
      devserverShareOfCore:
        serverCpuSeconds === undefined ? null : Number((serverCpuSeconds / seconds).toFixed(2)),
    },
  };
  console.log(
    `replay baseline (${result.destinations.join(' + ')}): the requests of ${TURNS} turns / ${THREADS} threads sent again by a bare client (undiciTransport) in ${result.seconds} s → ${result.turnsPerSecond} turns/s`,
  );
  for (const [lane, d] of Object.entries(result.perDestination)) {
    console.log(
      `  ${lane}: ${d.requests} requests = ${d.requestsPer1000Turns} per 1,000 turns, ${(d.requestBytes / 1048576).toFixed(1)} MiB of bodies`,
    );
  }
  console.log(
    `  CPU: bare client ${result.cpu.clientMicrosPerTurn} µs/turn; devserver ${result.cpu.devserverMicrosPerTurn ?? 'n/a'} µs/turn${result.cpu.devserverShareOfCore === null ? '' : `, ${Math.round(result.cpu.devserverShareOfCore * 100)}% of one core`}`,
  );
  report({ replay: result });
} finally {
  await server.close();
}
process.exit(0);

/** Sends `requests` in order, `IN_FLIGHT` at a time, on kept-alive connections. */
async function replay(requests) {
  const send = undiciTransport({ connections: IN_FLIGHT });
  const signal = new AbortController().signal;
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < requests.length) {
      const { method, url, headers, body } = requests[next++];
      const response = await send({ method, url, headers, body, signal, discardBody: true });
      if (response.status < 200 || response.status > 299) failed++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { failed };
}

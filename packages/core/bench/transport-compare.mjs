// undiciTransport() against the hand-written HTTP/1 client it replaced (bench/legacy-http1-transport.mjs;
// CHATTRAIL_LEGACY_CORE names a build of the core before issue 27), in the same run, each measurement in a
// process of its own, alternately, `rounds` times, medians reported:
// - bare: `requests` PUTs of a 20-message thread (~3 KB of JSON) to bench/sink-server.mjs (its own process),
//   8 in flight as a destination has them, answers drained unread: the client's CPU per request;
// - trail: bench/delivery-throughput.mjs, 20,000 turns over 200 threads to both destinations, on the
//   devserver and on the sink: turns/s and the CPU per turn of the trail's process (app and trail).
// Usage: CHATTRAIL_LEGACY_CORE=<dist> node bench/transport-compare.mjs [rounds=5] [requests=20000]
//        (one bare measurement: ... --bare <undici|legacy-http1> [requests])
import { fileURLToPath } from 'node:url';
import { median, report, startDevServerChild } from './bench-kit.mjs';
import { runForResult } from './run-for-result.mjs';

const IN_FLIGHT = 8;
const TRANSPORTS = ['legacy-http1', 'undici'];

if (process.argv[2] === '--bare') {
  report({ bare: await bare(process.argv[3], Number(process.argv[4] ?? 20_000)) });
  process.exit(0);
}

const rounds = Number(process.argv[2] ?? 5);
const requests = process.argv[3] ?? '20000';
const self = fileURLToPath(import.meta.url);
const throughput = fileURLToPath(new URL('./delivery-throughput.mjs', import.meta.url));
const runs = Object.fromEntries(TRANSPORTS.map((t) => [t, { bare: [], devserver: [], sink: [] }]));
for (let round = 0; round < rounds; round++) {
  // Each round starts with the other transport: the machine's speed drifts within minutes.
  const order = round % 2 ? [...TRANSPORTS].reverse() : TRANSPORTS;
  for (const transport of order) {
    const quiet = { echo: false };
    runs[transport].bare.push((await runForResult(self, ['--bare', transport, requests], quiet)).bare);
    for (const backend of ['devserver', 'sink']) {
      const args = ['20000', '200', 'both', backend, transport];
      runs[transport][backend].push((await runForResult(throughput, args, quiet)).delivery);
    }
  }
  console.log(`round ${round + 1} of ${rounds} done`);
}

const summary = {};
for (const transport of TRANSPORTS) {
  const { bare: b, devserver, sink } = runs[transport];
  summary[transport] = {
    bareMicrosPerRequest: median(b.map((r) => r.clientMicrosPerRequest)),
    bareRequestsPerSecond: median(b.map((r) => r.requestsPerSecond)),
    devserverTurnsPerSecond: median(devserver.map((r) => r.turnsPerSecond)),
    devserverTrailMicrosPerTurn: median(devserver.map((r) => r.cpu.trailProcessMicrosPerTurn)),
    sinkTurnsPerSecond: median(sink.map((r) => r.turnsPerSecond)),
    sinkTrailMicrosPerTurn: median(sink.map((r) => r.cpu.trailProcessMicrosPerTurn)),
    runs: {
      bareMicrosPerRequest: b.map((r) => r.clientMicrosPerRequest),
      devserverTurnsPerSecond: devserver.map((r) => r.turnsPerSecond),
      sinkTurnsPerSecond: sink.map((r) => r.turnsPerSecond),
      sinkTrailMicrosPerTurn: sink.map((r) => r.cpu.trailProcessMicrosPerTurn),
      devserverTrailMicrosPerTurn: devserver.map((r) => r.cpu.trailProcessMicrosPerTurn),
    },
  };
}
const [legacy, undici] = TRANSPORTS.map((t) => summary[t]);
const change = (a, b) => `${b > a ? '+' : ''}${Math.round(((b - a) / a) * 100)}%`;
console.log(`| medians of ${rounds} runs | hand-written HTTP/1 | undiciTransport() | change |`);
console.log('| --- | --- | --- | --- |');
for (const [label, key] of [
  ['bare client, CPU µs per request', 'bareMicrosPerRequest'],
  ['bare client, requests/s', 'bareRequestsPerSecond'],
  ['trail → devserver, turns/s', 'devserverTurnsPerSecond'],
  ['trail → devserver, process CPU µs per turn', 'devserverTrailMicrosPerTurn'],
  ['trail → sink, turns/s', 'sinkTurnsPerSecond'],
  ['trail → sink, process CPU µs per turn', 'sinkTrailMicrosPerTurn'],
]) {
  console.log(`| ${label} | ${legacy[key]} | ${undici[key]} | ${change(legacy[key], undici[key])} |`);
}
report({ transportCompare: summary });

/** One bare measurement: `count` PUTs through `name`, after a warm-up of 2,000. */
async function bare(name, count) {
  const make =
    name === 'undici'
      ? (await import('../dist/node.js')).undiciTransport
      : (await import('./legacy-http1-transport.mjs')).legacyHttp1Transport;
  const server = await startDevServerChild({ sink: true });
  try {
    const send = make({ connections: IN_FLIGHT });
    const messages = Array.from({ length: 20 }, (_, i) => ({
      externalId: `m${i}`,
      role: i % 2 ? 'assistant' : 'user',
      content: `Message ${i}: an ordinary sentence of chat text, about eighty characters long, no more.`,
    }));
    const body = JSON.stringify({ externalId: 'bench-thread', messages });
    const request = {
      method: 'PUT',
      url: `${server.melodiBaseUrl}/projects/1/threads`,
      headers: {
        authorization: 'Bearer bench',
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body,
      signal: new AbortController().signal,
      discardBody: true,
    };
    const sendAll = async (total) => {
      let next = 0;
      const worker = async () => {
        while (next++ < total) {
          const response = await send(request);
          if (response.status !== 200) throw new Error(`status ${response.status}`);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    };
    await sendAll(2_000);
    const serverCpuStart = server.cpuSeconds();
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await sendAll(count);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const serverCpu = server.cpuSeconds() - serverCpuStart;
    await send.close();
    return {
      transport: name,
      requests: count,
      requestsPerSecond: Math.round(count / seconds),
      clientMicrosPerRequest: Math.round((cpu.user + cpu.system) / count),
      sinkMicrosPerRequest: Math.round((serverCpu * 1e6) / count),
      bodyBytes: Buffer.byteLength(body),
    };
  } finally {
    await server.close();
  }
}

// undiciTransport() against the hand-written HTTP/1 client it replaced (bench/legacy-http1-transport.mjs;
// CHATTRAIL_LEGACY_CORE names a build of the core before issue 27), in the same run, each measurement in a
// process of its own, alternately, `rounds` times, medians reported:
// - bare: `requests` PUTs per transport of a 20-message thread (~3 KB of JSON) to bench/sink-server.mjs (its
//   own process), 8 in flight as a destination has them, answers drained unread, both transports in one
//   process in alternating blocks: the client's CPU per request;
// - trail: bench/delivery-throughput.mjs, 20,000 turns over 200 threads to both destinations, on the
//   devserver and on the sink: turns/s and the CPU per turn of the trail's process (app and trail).
// Usage: CHATTRAIL_LEGACY_CORE=<dist> node bench/transport-compare.mjs [rounds=5] [requests=20000]
//        (one bare measurement: ... --bare [requests])
import { fileURLToPath } from 'node:url';
import { median, report, startDevServerChild } from './bench-kit.mjs';
import { runForResult } from './run-for-result.mjs';

const IN_FLIGHT = 8;
const TRANSPORTS = ['legacy-http1', 'undici'];

if (process.argv[2] === '--bare') {
  report({ bare: await bare(Number(process.argv[3] ?? 20_000)) });
  process.exit(0);
}

const rounds = Number(process.argv[2] ?? 5);
const requests = process.argv[3] ?? '20000';
const self = fileURLToPath(import.meta.url);
const throughput = fileURLToPath(new URL('./delivery-throughput.mjs', import.meta.url));
const runs = Object.fromEntries(TRANSPORTS.map((t) => [t, { bare: [], devserver: [], sink: [] }]));
const quiet = { echo: false };
for (let round = 0; round < rounds; round++) {
  const { bare: both } = await runForResult(self, ['--bare', requests], quiet);
  for (const transport of TRANSPORTS) runs[transport].bare.push(both[transport]);
  // Each round starts with the other transport: the machine's speed drifts within minutes.
  const order = round % 2 ? [...TRANSPORTS].reverse() : TRANSPORTS;
  for (const transport of order) {
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

/**
 * The bare measurement: both transports in this process, against one sink, in alternating blocks of
 * `count / 10` PUTs after a warm-up of 2,000 each, so that the machine's drift (other processes, CPU
 * frequency) falls on both alike. CPU of this process per request, by transport.
 */
async function bare(count) {
  const makers = {
    'legacy-http1': (await import('./legacy-http1-transport.mjs')).legacyHttp1Transport,
    undici: (await import('../dist/node.js')).undiciTransport,
  };
  const server = await startDevServerChild({ sink: true });
  try {
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
    const sendAll = async (send, total) => {
      let next = 0;
      const worker = async () => {
        while (next++ < total) {
          const response = await send(request);
          if (response.status !== 200) throw new Error(`status ${response.status}`);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    };
    const sends = Object.fromEntries(
      TRANSPORTS.map((name) => [name, makers[name]({ connections: IN_FLIGHT })]),
    );
    const totals = Object.fromEntries(TRANSPORTS.map((name) => [name, { cpuMicros: 0, seconds: 0 }]));
    for (const name of TRANSPORTS) await sendAll(sends[name], 2_000);
    const block = Math.ceil(count / 10);
    for (let i = 0; i < 10; i++) {
      for (const name of i % 2 ? [...TRANSPORTS].reverse() : TRANSPORTS) {
        const cpuStart = process.cpuUsage();
        const started = performance.now();
        await sendAll(sends[name], block);
        totals[name].seconds += (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuStart);
        totals[name].cpuMicros += cpu.user + cpu.system;
      }
    }
    for (const name of TRANSPORTS) await sends[name].close();
    return Object.fromEntries(
      TRANSPORTS.map((name) => [
        name,
        {
          clientMicrosPerRequest: Number((totals[name].cpuMicros / (block * 10)).toFixed(1)),
          requestsPerSecond: Math.round((block * 10) / totals[name].seconds),
        },
      ]),
    );
  } finally {
    await server.close();
  }
}
